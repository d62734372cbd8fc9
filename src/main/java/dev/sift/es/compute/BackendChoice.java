package dev.sift.es.compute;

import dev.sift.engine.backend.CpuSelectionBackend;
import dev.sift.engine.backend.SelectionBackend;
import dev.sift.engine.backend.SelectionListener;
import dev.sift.engine.backend.opencl.OpenClDevice;
import dev.sift.engine.backend.opencl.OpenClSelectionBackend;
import dev.sift.engine.kernels.KernelOps;
import dev.sift.es.EnumParameter;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.core.TimeValue;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * The node settings {@code sift.backend} and {@code sift.gpu.*} and the choice they make: once per node, at
 * start-up, kept with the reason for logs and {@code GET _sift/stats} (the way Lucene's
 * {@code VectorizationProvider} keeps why it fell back).
 *
 * <ul>
 *   <li>{@code auto} (default): the OpenCL backend where an eligible device with double precision is found and its
 *       kernels run, else the CPU, with the reason.</li>
 *   <li>{@code cpu}: the CPU ({@link CpuSelectionBackend}); no device is looked for.</li>
 *   <li>{@code gpu}: the OpenCL backend or nothing: without an eligible device whose kernels run, the node does not
 *       start, and the message names the setting and the cause.</li>
 * </ul>
 *
 * <p>With the OpenCL backend, SIFT selections over windows of at least {@code sift.gpu.min_window_elements} values
 * (K·d) run on the device and the rest on the CPU ({@link OpenClSelectionBackend}).
 */
public final class BackendChoice implements AutoCloseable {

    public static final String SETTING_KEY = "sift.backend";

    /** The values {@code sift.backend} takes. */
    public enum Requested {
        AUTO,
        CPU,
        GPU;

        public String settingValue() {
            return EnumParameter.name(this);
        }

        /** Exact lower-case values only, like Elasticsearch's own enum-valued node settings. */
        public static Requested parse(String value) {
            return parseSetting(SETTING_KEY, value, values());
        }
    }

    private static <E extends Enum<E>> E parseSetting(String key, String value, E[] values) {
        E constant = EnumParameter.find(values, value);
        if (constant == null) {
            throw new IllegalArgumentException(
                "unknown value [" + value + "] for setting [" + key + "], expected one of " + EnumParameter.names(values)
            );
        }
        return constant;
    }

    public static final Setting<Requested> BACKEND_SETTING = new Setting<>(
        SETTING_KEY,
        Requested.AUTO.settingValue(),
        Requested::parse,
        Setting.Property.NodeScope
    );

    static final String DEVICE_TYPE_KEY = "sift.gpu.device_type";

    /** Which OpenCL devices may be used: {@code gpu} (GPUs and accelerators, the default) or {@code any}. */
    public static final Setting<OpenClDevice.Eligible> DEVICE_TYPE_SETTING = new Setting<>(
        DEVICE_TYPE_KEY,
        EnumParameter.name(OpenClDevice.Eligible.GPU),
        value -> parseSetting(DEVICE_TYPE_KEY, value, OpenClDevice.Eligible.values()),
        Setting.Property.NodeScope
    );

    /**
     * The smallest window, in values (K·d), that runs on the device. The default, 1,000,000 (a window of 1000 hits
     * of 1024 dimensions), is where a greedy step's pass over the window costs the CPU about 0.3 ms, against a few
     * tens of microseconds of kernel launches and the window's 4 MB upload on a GPU (docs/gpu.md).
     */
    public static final Setting<Long> MIN_WINDOW_ELEMENTS_SETTING = Setting.longSetting(
        "sift.gpu.min_window_elements",
        1_000_000L,
        0L,
        Setting.Property.NodeScope
    );

    /** The share of the device's memory that one batch of selections may hold. */
    public static final Setting<Double> MEMORY_FRACTION_SETTING = Setting.doubleSetting(
        "sift.gpu.memory_fraction",
        0.5,
        0.01,
        1.0,
        Setting.Property.NodeScope
    );

    /** How long the device waits for concurrent selections to join a batch. */
    public static final Setting<TimeValue> BATCH_WAIT_SETTING = Setting.timeSetting(
        "sift.gpu.batch_wait",
        TimeValue.timeValueMillis(1),
        TimeValue.ZERO,
        Setting.Property.NodeScope
    );

    /** The most selections in one batch. */
    public static final Setting<Integer> MAX_BATCH_SETTING = Setting.intSetting("sift.gpu.max_batch", 64, 1, 4096, Setting.Property.NodeScope);

    /** Every setting of this class, for the plugin to register. */
    public static final List<Setting<?>> SETTINGS = List.of(
        BACKEND_SETTING,
        DEVICE_TYPE_SETTING,
        MIN_WINDOW_ELEMENTS_SETTING,
        MEMORY_FRACTION_SETTING,
        BATCH_WAIT_SETTING,
        MAX_BATCH_SETTING
    );

    private final Requested requested;
    private final SelectionBackend backend;
    private final String reason;
    @Nullable
    private final OpenClSelectionBackend gpu;

    private BackendChoice(Requested requested, SelectionBackend backend, String reason, @Nullable OpenClSelectionBackend gpu) {
        this.requested = requested;
        this.backend = backend;
        this.reason = reason;
        this.gpu = gpu;
    }

    /**
     * Makes the node's choice.
     *
     * @param nodeSettings the node's settings, where {@code sift.backend} and {@code sift.gpu.*} may be set
     * @param kernels      the CPU kernels the CPU backend computes with
     * @param listener     told of every selection
     * @param threads      makes the OpenCL backend's dispatcher thread
     * @param warnings     gets one line per selection that falls back from the device to the CPU
     * @throws IllegalArgumentException for a value a setting does not take, or {@code gpu} without a usable device
     */
    public static BackendChoice choose(
        Settings nodeSettings,
        KernelOps kernels,
        SelectionListener listener,
        ThreadFactory threads,
        Consumer<String> warnings
    ) {
        Objects.requireNonNull(kernels);
        Requested requested = BACKEND_SETTING.get(nodeSettings);
        OpenClDevice.Eligible deviceType = DEVICE_TYPE_SETTING.get(nodeSettings);
        CpuSelectionBackend cpu = new CpuSelectionBackend(kernels, listener);
        if (requested == Requested.CPU) {
            return new BackendChoice(requested, cpu, "[" + SETTING_KEY + "] is [cpu]", null);
        }
        String asked = "[" + SETTING_KEY + "] is [" + requested.settingValue() + "] and [" + DEVICE_TYPE_KEY + "] is ["
            + EnumParameter.name(deviceType) + "]";
        OpenClSelectionBackend gpu = null;
        OpenClDevice.Info found = null;
        try {
            OpenClDevice device = OpenClDevice.open(deviceType);
            found = device.info();
            if (device.isPocl() && System.getenv("POCL_CACHE_DIR") == null) {
                device.close();
                throw new IllegalStateException(
                    "POCL links each kernel by running the system linker, which Elasticsearch's system call filter forbids inside the "
                        + "node (POCL then aborts the process), so POCL is only used with POCL_CACHE_DIR set, to a kernel cache filled "
                        + "beforehand by the plugin's OpenClWarmup command (docs/gpu.md)"
                );
            }
            long budget = (long) (device.info().globalMemoryBytes() * MEMORY_FRACTION_SETTING.get(nodeSettings));
            long minElements = MIN_WINDOW_ELEMENTS_SETTING.get(nodeSettings);
            gpu = new OpenClSelectionBackend(
                device,
                cpu,
                listener,
                minElements,
                budget,
                BATCH_WAIT_SETTING.get(nodeSettings).nanos(),
                MAX_BATCH_SETTING.get(nodeSettings),
                threads,
                warnings,
                () -> {}
            );
            gpu.warmUp();
            OpenClDevice.Info info = device.info();
            return new BackendChoice(
                requested,
                gpu,
                asked + ": OpenCL device [" + info.name() + "] (" + info.vendor() + ", " + info.type() + ", " + info.openClVersion()
                    + ") has double precision and runs the kernels; SIFT selections over windows of at least " + minElements
                    + " values (hits x dimensions) run on it, smaller ones and the nearest and mmr baselines on the CPU",
                gpu
            );
        } catch (OpenClDevice.Unavailable | RuntimeException e) {
            if (gpu != null) {
                gpu.close();
            }
            String cause = (found == null ? "" : "OpenCL device [" + found.name() + "] cannot be used: ") + e.getMessage();
            if (requested == Requested.GPU) {
                throw new IllegalArgumentException(
                    asked + " but no OpenCL device can run the selections: " + cause + "; set [" + SETTING_KEY + "] to [auto] or [cpu] to run "
                        + "them on the CPU" + (deviceType == OpenClDevice.Eligible.GPU ? ", or [" + DEVICE_TYPE_KEY + "] to [any] to accept a CPU OpenCL device" : ""),
                    e
                );
            }
            return new BackendChoice(requested, cpu, asked + " but " + cause + "; selections run on the CPU", null);
        }
    }

    /** What {@code sift.backend} asked for. */
    public Requested requested() {
        return requested;
    }

    /** The backend every selection on this node goes through. */
    public SelectionBackend backend() {
        return backend;
    }

    /** The OpenCL backend, when it was chosen. */
    @Nullable
    public OpenClSelectionBackend gpu() {
        return gpu;
    }

    /** Why this backend, for logs and stats. */
    public String reason() {
        return reason;
    }

    /** Releases the device, if one was chosen. */
    @Override
    public void close() {
        if (gpu != null) {
            gpu.close();
        }
    }
}
