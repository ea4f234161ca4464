/** NUMA placement policies: Linux's default local (first-touch) allocation, and interleaving over every node. */
package io.vmsim.policies.numa;
