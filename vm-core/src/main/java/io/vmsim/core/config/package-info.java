/** The run's configuration: declared keys, layered loading with Commons Configuration, validation and typed views. */
package io.vmsim.core.config;
