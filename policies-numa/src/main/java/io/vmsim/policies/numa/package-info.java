/** NUMA placement policies: Linux's default local (first-touch) allocation and its automatic NUMA balancing ({@code linux}). */
package io.vmsim.policies.numa;
