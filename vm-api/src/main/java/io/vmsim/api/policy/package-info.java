/**
 * The policy SPI. A plugin implements one of the policy interfaces and a
 * {@link io.vmsim.api.policy.PolicyProvider} registered in
 * {@code META-INF/services/io.vmsim.api.policy.PolicyProvider}.
 */
package io.vmsim.api.policy;
