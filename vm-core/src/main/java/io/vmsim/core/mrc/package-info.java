/**
 * Pure page-replacement studies ({@code vmsim mrc}): a trace replayed against exactly N user
 * frames per reclaim policy, counting misses to draw miss-ratio curves. No watermarks, page
 * tables or daemons: one reference, one lookup, and on a miss with memory full one reclaim
 * request for one page.
 */
package io.vmsim.core.mrc;
