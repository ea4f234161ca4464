/** NUMA placement policies: Linux's default local (first-touch) allocation. */
package io.vmsim.policies.numa;
