/** The Apache Spark engine of {@code vmsim sweep} and its {@code spark-submit} main class. */
package io.vmsim.spark;
