/** Error types shared by every package. */
package io.vmsim.core.error;
