/** The vmsim command line (picocli): run, policies, scenarios, config show. The only package that prints. */
package io.vmsim.cli;
