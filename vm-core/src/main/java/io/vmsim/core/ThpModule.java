package io.vmsim.core;

import com.google.inject.AbstractModule;

/** Builds the huge-page subsystems ({@link ThpSubsystem}) with every machine (THP, issue 5). */
final class ThpModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(ThpSubsystem.class).asEagerSingleton();
    }
}
