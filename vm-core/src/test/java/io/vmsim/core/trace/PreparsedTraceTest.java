package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

final class PreparsedTraceTest {

    @Test
    void load_keepsEveryRefInOrder_andReadersReplayIndependently() throws IOException {
        long[] expected = TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(TraceTestSupport.SORT), false);
        PreparsedTrace t;
        try (TraceReader r = new LackeyTraceReader(TraceTestSupport.resource(TraceTestSupport.SORT), "sort", false)) {
            t = PreparsedTrace.load(r);
        }
        assertThat(t.refs()).isEqualTo(expected.length);
        assertThat(t.get(0)).isEqualTo(expected[0]);
        assertThat(t.get(t.refs() - 1)).isEqualTo(expected[expected.length - 1]);
        assertThat(t.source()).isEqualTo("sort");
        try (TraceReader a = t.reader(); TraceReader b = t.reader()) {
            long[] small = new long[1000];
            assertThat(a.read(small)).isEqualTo(1000);
            assertThat(TraceTestSupport.readAll(b)).isEqualTo(expected);
            assertThat(small).isEqualTo(java.util.Arrays.copyOf(expected, 1000));
        }
        assertThatThrownBy(() -> t.get(t.refs())).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void load_growsPastItsInitialCapacity() throws IOException {
        long[] many = new long[200_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = TraceReader.encode(i * 64L, i % 3);
        }
        PreparsedTrace t = PreparsedTrace.load(PreparsedTrace.of("mem", many).reader());
        assertThat(t.toArray()).isEqualTo(many);
    }
}
