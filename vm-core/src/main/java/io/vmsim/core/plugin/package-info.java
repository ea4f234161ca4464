/** Discovery of policy providers: built-in modules through ServiceLoader and plugin jars in isolated class loaders. */
package io.vmsim.core.plugin;
