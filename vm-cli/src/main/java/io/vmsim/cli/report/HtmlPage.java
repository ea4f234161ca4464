package io.vmsim.cli.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One self-contained HTML report: headings, paragraphs, tables and charts drawn by Apache
 * ECharts, whose script is read from its webjar on the class path and inlined, so the file
 * opens without a network. The charts' data travel as one JSON element; a small script turns
 * each chart's description into an ECharts option. Nothing varies between two writes of the
 * same report (no dates, no random ids).
 */
final class HtmlPage {
    /** The inlined library: Apache ECharts from its webjar. */
    static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

    private final String title;
    private final StringBuilder body = new StringBuilder(4096);
    private final List<Object> charts = new ArrayList<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();

    HtmlPage(String title) {
        this.title = title;
    }

    HtmlPage heading(String text) {
        body.append("<h2>").append(esc(text)).append("</h2>\n");
        return this;
    }

    HtmlPage para(String text) {
        body.append("<p>").append(esc(text)).append("</p>\n");
        return this;
    }

    /** Raw HTML the caller escaped. */
    HtmlPage raw(String html) {
        body.append(html);
        return this;
    }

    /**
     * A chart: {@code spec} holds {@code title}, {@code x} ({@code name}, {@code type}: value,
     * log or category, and {@code categories} for a category axis), {@code y} ({@code name},
     * and {@code min}, {@code max} to fix its range) and {@code series} ({@code name}, {@code data}: [x, y]
     * pairs, or one y per category), and optionally {@code byMetric} (series per metric, for a
     * page with a metric selector). The y axis fits the data (ECharts {@code scale}).
     */
    HtmlPage chart(Map<String, Object> spec, String caption) {
        int i = charts.size();
        charts.add(spec);
        body.append("<figure><div class=\"chart\" id=\"chart").append(i).append("\"></div>");
        if (caption != null) {
            body.append("<figcaption>").append(esc(caption)).append("</figcaption>");
        }
        body.append("</figure>\n");
        return this;
    }

    /** Extra data for the page's script (e.g. the metric selector's choices). */
    HtmlPage data(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    HtmlPage table(List<String> header, List<List<String>> rows) {
        body.append("<table>\n<tr>");
        for (String h : header) {
            body.append("<th>").append(esc(h)).append("</th>");
        }
        body.append("</tr>\n");
        for (List<String> r : rows) {
            body.append("<tr>");
            for (String c : r) {
                body.append("<td>").append(esc(c == null ? "" : c)).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    int chartCount() {
        return charts.size();
    }

    String render() {
        Map<String, Object> data = new LinkedHashMap<>(extra);
        data.put("charts", charts);
        StringBuilder sb = new StringBuilder(1_100_000);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n")
                // errors of the page are kept where a test (or a curious reader) can see them
                .append("<script>window.vmsimErrors=[];window.addEventListener('error',function(e){"
                        + "window.vmsimErrors.push(String(e.message));});</script>\n")
                .append("<script>\n").append(echarts().replace("</script", "<\\/script")).append("\n</script>\n")
                .append("</head>\n<body>\n<h1>").append(esc(title)).append("</h1>\n")
                .append(body)
                .append("<script type=\"application/json\" id=\"vmsim-data\">").append(Json.write(data)).append("</script>\n")
                .append("<script>\n").append(SCRIPT).append("</script>\n</body></html>\n");
        return sb.toString();
    }

    void write(Path file) throws IOException {
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    private static String cachedEcharts;

    /** The ECharts script from the class path. */
    static synchronized String echarts() {
        if (cachedEcharts == null) {
            try (InputStream in = HtmlPage.class.getClassLoader().getResourceAsStream(ECHARTS)) {
                if (in == null) {
                    throw new IllegalStateException("the charting library " + ECHARTS + " is not on the class path");
                }
                cachedEcharts = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return cachedEcharts;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final String CSS = """
            body{font-family:sans-serif;margin:1.5em;max-width:1100px;color:#222}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
            figure{margin:1em 0}figcaption{font-size:.9em;color:#555}
            .chart{width:100%;height:360px}
            table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
            th,td{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}
            td:first-child,th:first-child{text-align:left}
            """;

    /** Builds each chart's ECharts option from its description; re-renders on a metric change. */
    private static final String SCRIPT = """
            (function(){
            var D=JSON.parse(document.getElementById('vmsim-data').textContent);
            function option(c,series){
              var cat=c.x.type==='category';
              return {animation:false,title:{text:c.title,left:'center',textStyle:{fontSize:14}},
                tooltip:{trigger:'axis'},
                legend:{type:'scroll',top:24},
                grid:{left:70,right:30,top:60,bottom:50},
                xAxis:cat?{type:'category',name:c.x.name,nameLocation:'middle',nameGap:28,data:c.x.categories}
                  :{type:c.x.type,name:c.x.name,nameLocation:'middle',nameGap:28,scale:c.x.type==='value',
                    min:c.x.type==='value'?'dataMin':null,max:c.x.type==='value'?'dataMax':null},
                yAxis:{type:'value',name:c.y.name,scale:true,min:c.y.min,max:c.y.max},
                series:series.map(function(s){return {name:s.name,type:'line',data:s.data,
                  showSymbol:s.data.length<=200,symbolSize:5,connectNulls:false};})};
            }
            var metric=D.defaultMetric;
            function draw(){
              D.charts.forEach(function(c,i){
                var el=document.getElementById('chart'+i);
                var ch=echarts.getInstanceByDom(el)||echarts.init(el,null,{renderer:'canvas'});
                var series=c.byMetric?c.byMetric[metric]:c.series;
                var cc=c;
                if(c.byMetric){cc=Object.assign({},c,{y:{name:metric}});}
                ch.setOption(option(cc,series),true);
              });
            }
            var sel=document.getElementById('metric');
            if(sel){sel.value=metric;sel.addEventListener('change',function(){metric=sel.value;draw();});}
            draw();
            window.addEventListener('resize',function(){D.charts.forEach(function(c,i){
              var ch=echarts.getInstanceByDom(document.getElementById('chart'+i));if(ch){ch.resize();}});});
            })();
            """;
}
