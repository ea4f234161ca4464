/** Transparent-huge-page policies: Linux's fault-time and khugepaged rules, and a never-huge baseline. */
package io.vmsim.policies.thp;
