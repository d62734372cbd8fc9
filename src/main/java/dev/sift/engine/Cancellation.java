package dev.sift.engine;

/** Lets the caller stop a long selection; {@link #check()} throws the caller's own exception when cancelled. */
@FunctionalInterface
public interface Cancellation {

    Cancellation NONE = () -> {};

    void check();
}
