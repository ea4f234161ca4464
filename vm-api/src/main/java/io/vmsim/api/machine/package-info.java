/** Read-only views of the simulated machine that policies may consult. */
package io.vmsim.api.machine;
