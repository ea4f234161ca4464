/**
 * Sweeps: a study of many runs over the product of configuration values ({@code vmsim sweep}),
 * the parts every engine shares: expanding the points, hashing their configurations, running one
 * point, reading and writing the output folder; and the local engine.
 */
package io.vmsim.core.sweep;
