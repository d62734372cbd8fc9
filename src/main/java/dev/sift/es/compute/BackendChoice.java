package dev.sift.es.compute;

import dev.sift.engine.backend.CpuSelectionBackend;
import dev.sift.engine.backend.SelectionBackend;
import dev.sift.engine.compute.KernelOps;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The node setting {@code sift.backend} and the choice it makes: once per node, at start-up, kept with the
 * reason for logs and {@code GET _sift/stats} (the way Lucene's {@code VectorizationProvider} keeps why it fell
 * back).
 *
 * <ul>
 *   <li>{@code auto} (default): the GPU where a GPU backend and a device are present, else the CPU. This build
 *       contains no GPU backend, so {@code auto} is the CPU, and the reason says so; no device is probed.</li>
 *   <li>{@code cpu}: the CPU ({@link CpuSelectionBackend}), whatever hardware is present.</li>
 *   <li>{@code gpu}: the GPU or nothing. Asking for it in a build without a GPU backend stops the node at
 *       start-up with a message naming the setting, rather than running on the CPU against the operator's
 *       explicit wish.</li>
 * </ul>
 */
public final class BackendChoice {

    public static final String SETTING_KEY = "sift.backend";

    /** The values {@code sift.backend} takes. */
    public enum Requested {
        AUTO,
        CPU,
        GPU;

        public String settingValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Exact lower-case values only, like Elasticsearch's own enum-valued node settings. */
        public static Requested parse(String value) {
            for (Requested r : values()) {
                if (r.settingValue().equals(value)) {
                    return r;
                }
            }
            throw new IllegalArgumentException(
                "unknown value [" + value + "] for setting [" + SETTING_KEY + "], expected one of "
                    + Arrays.stream(values()).map(Requested::settingValue).collect(Collectors.joining(", ", "[", "]"))
            );
        }
    }

    public static final Setting<Requested> BACKEND_SETTING = new Setting<>(
        SETTING_KEY,
        Requested.AUTO.settingValue(),
        Requested::parse,
        Setting.Property.NodeScope
    );

    private final Requested requested;
    private final SelectionBackend backend;
    private final String reason;

    private BackendChoice(Requested requested, SelectionBackend backend, String reason) {
        this.requested = requested;
        this.backend = backend;
        this.reason = reason;
    }

    /**
     * Makes the node's choice.
     *
     * @param nodeSettings the node's settings, where {@code sift.backend} may be set
     * @param kernels      the CPU kernels the CPU backend computes with
     * @throws IllegalArgumentException for a value {@code sift.backend} does not take, or {@code gpu} in this build
     */
    public static BackendChoice choose(Settings nodeSettings, KernelOps kernels) {
        Objects.requireNonNull(kernels);
        Requested requested = BACKEND_SETTING.get(nodeSettings);
        return switch (requested) {
            case CPU -> new BackendChoice(requested, new CpuSelectionBackend(kernels), "[" + SETTING_KEY + "] is [cpu]");
            case AUTO -> new BackendChoice(
                requested,
                new CpuSelectionBackend(kernels),
                "[" + SETTING_KEY + "] is [auto] and this build has no GPU backend (no CUDA code is built in, so no CUDA "
                    + "device was looked for); selections run on the CPU"
            );
            case GPU -> throw new IllegalArgumentException(
                "[" + SETTING_KEY + "] is [gpu] but this build of elasticsearch-sift has no GPU backend, so selections "
                    + "cannot run on a GPU; set [" + SETTING_KEY + "] to [auto] or [cpu], or remove it, to run them on the CPU"
            );
        };
    }

    /** What {@code sift.backend} asked for. */
    public Requested requested() {
        return requested;
    }

    /** The backend every selection on this node goes through. */
    public SelectionBackend backend() {
        return backend;
    }

    /** Why this backend, for logs and stats. */
    public String reason() {
        return reason;
    }
}
