package io.vmsim.examples.jacksonfixture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.PackageVersion;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.PolicyEvents;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.StringReader;

/**
 * First-in, first-out eviction (as the built-in {@code fifo}) that sees every access and,
 * every {@code every} accesses, reads its rules again: a JSON document bound to {@link Rules}
 * by Jackson (through reflection on the setters) and an XML element parsed by the JDK's
 * {@code javax.xml.parsers}; then it counts its event {@code count} times. Each call also
 * checks that the thread's context class loader is the plugin's, as vmsim promises. The
 * counted events are the test's evidence that the libraries worked on every report.
 */
final class JacksonFixturePolicy implements ReclaimPolicy {
    private static final int ON_LIST = 1;

    private final ObjectMapper json = new ObjectMapper();
    private final DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
    private final PageLists lists;
    private final int list;
    private final PolicyEvents events;
    private final String rulesText;
    private final String reportText;
    private final Rules rules;
    private final PolicyEvents.Event event;
    private final int count;
    private long calls;

    JacksonFixturePolicy(PageLists lists, PolicyEvents events, String rulesText, String reportText) {
        this.lists = lists;
        this.list = lists.newList();
        this.events = events;
        this.rulesText = rulesText;
        this.reportText = reportText;
        this.rules = readRules();
        if (rules.getEvery() < 1) {
            throw new IllegalArgumentException("rules: every must be at least 1, got " + rules.getEvery());
        }
        this.event = eventNamed(rules.getEvent());
        this.count = readCount();
    }

    static String jacksonVersion() {
        return PackageVersion.VERSION.toString();
    }

    private Rules readRules() {
        try {
            return json.readValue(rulesText, Rules.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("rules: " + e.getMessage(), e);
        }
    }

    private int readCount() {
        try {
            Element e = xml.newDocumentBuilder().parse(new InputSource(new StringReader(reportText))).getDocumentElement();
            return Integer.parseInt(e.getAttribute("count"));
        } catch (Exception e) {
            throw new IllegalArgumentException("report: " + e, e);
        }
    }

    private static PolicyEvents.Event eventNamed(String name) {
        for (PolicyEvents.Event e : PolicyEvents.Event.values()) {
            if (e.linuxName().equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("rules: no policy event is named " + name);
    }

    private void checkContext() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        if (tccl != getClass().getClassLoader()) {
            throw new IllegalStateException("the context class loader is " + tccl + ", not the plugin's");
        }
    }

    @Override
    public boolean observesEveryAccess() {
        return true;
    }

    @Override
    public void pageAccessed(int pfn, boolean write) {
        checkContext();
        if (++calls % rules.getEvery() == 0) {
            Rules again = readRules();
            int n = readCount();
            if (again.getEvery() != rules.getEvery() || !again.getEvent().equals(rules.getEvent()) || n != count) {
                throw new IllegalStateException("rules read differently on call " + calls);
            }
            events.count(event, n);
        }
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        checkContext();
        if (lists.bits(pfn) != ON_LIST) {
            lists.addHead(list, pfn);
            lists.setBits(pfn, ON_LIST);
        }
    }

    @Override
    public void pageRemoved(int pfn) {
        checkContext();
        if (lists.bits(pfn) == ON_LIST) {
            lists.remove(list, pfn);
            lists.setBits(pfn, 0);
        }
    }

    @Override
    public void shrink(ScanControl sc) {
        checkContext();
        int budget = lists.size(list);
        while (sc.nrToReclaim() > 0 && budget-- > 0) {
            int victim = lists.tail(list);
            if (victim < 0) {
                break;
            }
            lists.remove(list, victim);
            lists.setBits(victim, 0);
            sc.scanned(1);
            if (!sc.reclaim(victim) && lists.bits(victim) != ON_LIST) {
                // kept resident and not handed back: it stays a candidate
                lists.addHead(list, victim);
                lists.setBits(victim, ON_LIST);
            }
        }
    }

    @Override
    public int size() {
        return lists.size(list);
    }

    /** The JSON rules; Jackson fills them through the setters. */
    public static final class Rules {
        private int every;
        private String event;

        public int getEvery() {
            return every;
        }

        public void setEvery(int every) {
            this.every = every;
        }

        public String getEvent() {
            return event;
        }

        public void setEvent(String event) {
            this.event = event;
        }
    }
}
