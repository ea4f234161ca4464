/** What a run reports: the result record, its JSON and text renderings, and progress callbacks. */
package io.vmsim.core.report;
