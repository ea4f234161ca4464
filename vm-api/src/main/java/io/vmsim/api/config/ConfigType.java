package io.vmsim.api.config;

/** The type of a configuration value. */
public enum ConfigType {
    /** A boolean: {@code true} or {@code false}. */
    BOOLEAN,
    /** A 64-bit signed integer; may carry a range. */
    LONG,
    /** A double; may carry a range. */
    DOUBLE,
    /** A free-form string. */
    STRING,
    /** One of a fixed set of lower-case strings. */
    ENUM,
    /** A byte size such as {@code 4096}, {@code 64K}, {@code 2M}, {@code 16G}; read as a long number of bytes. */
    SIZE
}
