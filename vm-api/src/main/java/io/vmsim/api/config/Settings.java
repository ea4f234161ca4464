package io.vmsim.api.config;

import java.util.Set;

/**
 * An immutable, typed view of the configuration values a policy declared. Every value has
 * already been validated against its {@link ConfigKey}; asking for an undeclared key or with
 * the wrong type is a programming error and throws {@link IllegalArgumentException}.
 */
public interface Settings {
    /** The names of the keys in this view. */
    Set<String> keys();

    /** A {@link ConfigType#BOOLEAN} value. */
    boolean getBoolean(String key);

    /** A {@link ConfigType#LONG} or {@link ConfigType#SIZE} value. */
    long getLong(String key);

    /** A {@link ConfigType#LONG} value that fits an int. */
    default int getInt(String key) {
        return Math.toIntExact(getLong(key));
    }

    /** A {@link ConfigType#DOUBLE} value. */
    double getDouble(String key);

    /** A {@link ConfigType#STRING} or {@link ConfigType#ENUM} value. */
    String getString(String key);
}
