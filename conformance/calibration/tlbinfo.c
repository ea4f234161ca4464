/* TLB sizes from CPUID (AMD leaves 0x80000005/0x80000006; Intel leaf 0x18 is not decoded). */
#include <cpuid.h>
#include <stdio.h>
int main(void) {
    unsigned a, b, c, d;
    __get_cpuid(0x80000000, &a, &b, &c, &d);
    if (a < 0x80000006) { printf("{}\n"); return 0; }
    __get_cpuid(0x80000005, &a, &b, &c, &d);
    /* EAX: 2M/4M L1 D TLB [31:24] assoc, [23:16] entries; EBX: 4K L1 D TLB likewise */
    unsigned l1d2m = (a >> 16) & 0xff, l1d2m_assoc = a >> 24, l1d4k = (b >> 16) & 0xff, l1d4k_assoc = b >> 24;
    __get_cpuid(0x80000006, &a, &b, &c, &d);
    /* EAX: 2M L2 D TLB [27:16] entries [31:28] assoc code; EBX: 4K L2 D TLB */
    unsigned l2d2m = (a >> 16) & 0xfff, l2d2m_assoc = a >> 28, l2d4k = (b >> 16) & 0xfff, l2d4k_assoc = b >> 28;
    unsigned l1d1g = 0, l2d1g = 0;
    __get_cpuid(0x80000000, &a, &b, &c, &d);
    if (a >= 0x80000019) {
        __get_cpuid(0x80000019, &a, &b, &c, &d);
        l1d1g = (a >> 16) & 0xfff; l2d1g = (b >> 16) & 0xfff;
    }
    printf("{\"l1d_4k\": %u, \"l1d_4k_assoc\": %u, \"l1d_2m\": %u, \"l1d_2m_assoc\": %u, \"l1d_1g\": %u, "
           "\"l2d_4k\": %u, \"l2d_4k_assoc_code\": %u, \"l2d_2m\": %u, \"l2d_2m_assoc_code\": %u, \"l2d_1g\": %u}\n",
           l1d4k, l1d4k_assoc, l1d2m, l1d2m_assoc, l1d1g, l2d4k, l2d4k_assoc, l2d2m, l2d2m_assoc, l2d1g);
    return 0;
}
