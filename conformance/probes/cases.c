/* The registry: every group of cases, in the order --list prints them. */
#include "probe.h"

#define GROUP(x) extern const struct probe_case x[]; extern const int x##_n;
GROUP(cases_basic)
GROUP(cases_prot)
GROUP(cases_madv)
GROUP(cases_file)
GROUP(cases_limits)
GROUP(cases_uffd)

const struct probe_group probe_groups[] = {
    {cases_basic, &cases_basic_n},
    {cases_prot, &cases_prot_n},
    {cases_madv, &cases_madv_n},
    {cases_file, &cases_file_n},
    {cases_limits, &cases_limits_n},
    {cases_uffd, &cases_uffd_n},
    {0, 0},
};
