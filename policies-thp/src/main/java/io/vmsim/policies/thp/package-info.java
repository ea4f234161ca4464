/** Transparent-huge-page policies: Linux's fault-time and khugepaged rules, a never-huge baseline, and promotion by measured use (Ingens/HawkEye). */
package io.vmsim.policies.thp;
