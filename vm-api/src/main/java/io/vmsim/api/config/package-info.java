/** Declared configuration keys and the typed, validated settings view a policy receives. */
package io.vmsim.api.config;
