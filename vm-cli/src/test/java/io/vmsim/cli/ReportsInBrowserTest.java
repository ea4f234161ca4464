package io.vmsim.cli;

import io.vmsim.cli.report.MrcReport;
import io.vmsim.cli.report.RunReport;
import io.vmsim.cli.report.SweepReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The HTML reports in a real browser: headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}) opens each report from a file:// URL, with the network shut out;
 * every chart must have been drawn by ECharts with data points, as many charts as the report
 * should hold, and the page must log no error. Without Chromium the test is skipped, unless the
 * environment variable CI is set: then {@code .ci/run} should have installed it and the test fails.
 */
final class ReportsInBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path dir;

    static ChromeDriver driver;

    @BeforeAll
    static void startChromium() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = CHROMIUM + " or " + CHROMEDRIVER + " is missing (Debian packages chromium and chromium-driver)";
            if (System.getenv("CI") != null) {
                fail(why + ": .ci/run should have installed them before the build");
            }
            Assumptions.assumeTrue(false, why + "; the reports' browser test is skipped (CI is not set)");
        }
        // Selenium warns that it has no DevTools binding for this Chromium; the test uses none
        java.util.logging.Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // the machine may have no network: nothing may try to reach it
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,900",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(120)).scriptTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopChromium() {
        if (driver != null) {
            driver.quit();
        }
    }

    /** What the page's charts hold: per chart element, the data length of each series (-1: no ECharts instance). */
    private static final String CHARTS = """
            var out=[];
            document.querySelectorAll('div.chart').forEach(function(el){
              var ch=window.echarts&&echarts.getInstanceByDom(el);
              if(!ch){out.push([-1]);return;}
              var drawn=el.querySelector('canvas');
              out.push(ch.getOption().series.map(function(s){return drawn&&drawn.width>0?s.data.length:-2;}));
            });
            return out;""";

    /** Opens {@code html} and checks it holds {@code charts} charts, each drawn with data, and no error. */
    @SuppressWarnings("unchecked")
    private static void assertDrawn(Path html, int charts) {
        driver.get(html.toUri().toString());
        JavascriptExecutor js = driver;
        List<List<Long>> lengths = (List<List<Long>>) js.executeScript(CHARTS);
        assertThat(lengths).as(html + ": charts").hasSize(charts);
        for (int i = 0; i < lengths.size(); i++) {
            assertThat(lengths.get(i)).as(html + ": chart " + i + " series' data points").isNotEmpty().allMatch(n -> n > 0);
        }
        assertNoErrors(html);
    }

    @SuppressWarnings("unchecked")
    private static void assertNoErrors(Path html) {
        List<Object> pageErrors = (List<Object>) ((JavascriptExecutor) driver).executeScript("return window.vmsimErrors;");
        assertThat(pageErrors).as(html + ": errors the page caught").isEmpty();
        List<String> severe = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                severe.add(e.getMessage());
            }
        }
        assertThat(severe).as(html + ": SEVERE browser log").isEmpty();
    }

    @Test
    void runReport_drawsEveryChartWithData() throws Exception {
        Path html = dir.resolve("run.html");
        Cli.Outcome o = Cli.run("run", "--scenario", "ksm-identical", "--set", "report.interval_ms=20", "--report", html.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertDrawn(html, RunReport.CHARTS.size());
    }

    @Test
    void mrcReport_drawsEveryChartWithData() throws Exception {
        Path trace = dir.resolve("t.pages");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            sb.append((i * 7919L) % 300 + (i % 3 == 0 ? 0 : i % 40)).append('\n');
        }
        Files.writeString(trace, sb);
        Path html = dir.resolve("mrc.html");
        Cli.Outcome o = Cli.run("mrc", "--trace", trace.toString(), "--policy", "lru,fifo,linux-2list", "--frames",
                "10,50,100,200", "--report", html.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertDrawn(html, MrcReport.CHARTS.size());
    }

    @Test
    void theChecks_catchAPageThatThrows_andAChartLeftUndrawn() throws Exception {
        Path sweep = io.vmsim.cli.report.SweepReportFixture.writeResults(dir.resolve("sweep-broken"));
        String good = SweepReport.render(sweep);
        Path undrawn = dir.resolve("undrawn.html");
        Files.writeString(undrawn, good.replace("draw();\n", "\n"));
        assertThat(good).isNotEqualTo(Files.readString(undrawn));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertDrawn(undrawn, 2)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("series' data points");
        Path throwing = dir.resolve("throwing.html");
        int end = good.lastIndexOf("</body>");
        Files.writeString(throwing, good.substring(0, end) + "<script>noSuchFunction();</script>" + good.substring(end));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertDrawn(throwing, 2)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("noSuchFunction");
    }

    @Test
    @SuppressWarnings("unchecked")
    void sweepReport_drawsOneChartPerVariedKey_forEveryMetric() throws Exception {
        Path sweep = io.vmsim.cli.report.SweepReportFixture.writeResults(dir.resolve("sweep"));
        Path html = dir.resolve("sweep.html");
        SweepReport.write(sweep, html);
        int charts = SweepReport.chartCount(SweepReport.read(sweep.resolve("results.jsonl")));
        assertThat(charts).isEqualTo(2);
        assertDrawn(html, charts);
        // switching the metric redraws every chart
        List<String> metrics = (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return Array.from(document.querySelectorAll('#metric option')).map(function(o){return o.value;});");
        assertThat(metrics).contains("pgfault", "pgmajfault", "time_ns");
        for (String m : metrics) {
            ((JavascriptExecutor) driver).executeScript("var s=document.getElementById('metric');s.value=arguments[0];"
                    + "s.dispatchEvent(new Event('change'));", m);
            List<List<Long>> lengths = (List<List<Long>>) ((JavascriptExecutor) driver).executeScript(CHARTS);
            assertThat(lengths).as(m).hasSize(charts).allMatch(l -> !l.isEmpty() && l.stream().allMatch(n -> n > 0));
            Object yName = ((JavascriptExecutor) driver).executeScript(
                    "return echarts.getInstanceByDom(document.getElementById('chart0')).getOption().yAxis[0].name;");
            assertThat(yName).isEqualTo(m);
        }
        assertNoErrors(html);
    }

    @Test
    void sweepCommandReport_drawsAChartPerVariedKey() throws Exception {
        Path out = dir.resolve("real-sweep");
        Cli.Outcome o = Cli.run("sweep", "--scenario", "sample", "--vary", "policy.reclaim=lru,clock",
                "--vary", "machine.memory=64M,128M", "--out", out.toString(), "--jobs", "1", "--report");
        assertThat(o.code()).as(o.err()).isZero();
        Path html = out.resolve("report.html");
        assertThat(o.out()).contains("report in " + html);
        // two varied keys, each point finished: one chart per key
        assertThat(SweepReport.chartCount(SweepReport.read(out.resolve("results.jsonl")))).isEqualTo(2);
        assertDrawn(html, 2);
        assertNoErrors(html);
    }
}
