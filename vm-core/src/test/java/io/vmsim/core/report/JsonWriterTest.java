package io.vmsim.core.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

final class JsonWriterTest {

    @Test
    void result_rendersAsOneObjectWithKeysInContractOrder() {
        assertThat(JsonWriter.toJson(Results.sample(true))).isEqualTo("""
                {
                  "workload": "scenario:largepages3",
                  "time_ns": 2500000000,
                  "refs": 1000000,
                  "reclaim_ran": false,
                  "warnings": [],
                  "counters": {
                    "pgfault": 1234,
                    "thp_fault_alloc": 5
                  },
                  "meminfo": {
                    "MemTotal": 4194304
                  },
                  "tlb": {
                    "l1_misses": 100,
                    "walk_refs": 400
                  },
                  "phases": [
                    {"name": "memset", "time_ns": 2000000000, "refs": 600000},
                    {"name": "read", "time_ns": 500000000, "refs": 400000}
                  ],
                  "nested_walk": [
                    {"mode": "native", "levels": 4, "guest_page": "4K", "host_page": null, "walk_refs": 4},
                    {"mode": "nested", "levels": 4, "guest_page": "4K", "host_page": "4K", "walk_refs": 24}
                  ],
                  "buddyinfo": "Node 0, zone Normal 1 2\\n",
                  "config": {
                    "seed": "42",
                    "note": "a \\"quoted\\"\\\\path\\twith\\nnewline\\u0001"
                  }
                }
                """);
    }

    @Test
    void emptyNestedWalk_isLeftOut() {
        String json = JsonWriter.toJson(Results.sample(false));
        assertThat(json).doesNotContain("nested_walk");
        assertThat(json.indexOf("\"phases\"")).isLessThan(json.indexOf("\"buddyinfo\""));
    }

    @Test
    void sameResult_givesSameBytes() {
        assertThat(JsonWriter.toJson(Results.sample(true))).isEqualTo(JsonWriter.toJson(Results.sample(true)));
    }

    @Test
    void doubles_havePlainDecimalFormat() {
        assertThat(JsonWriter.number(0.1)).isEqualTo("0.1");
        assertThat(JsonWriter.number(1e20)).isEqualTo("100000000000000000000.0");
        assertThat(JsonWriter.number(2.5e-7)).isEqualTo("0.00000025");
        assertThat(JsonWriter.number(3)).isEqualTo("3.0");
        assertThat(JsonWriter.number(Double.NaN)).isEqualTo("null");
    }
}
