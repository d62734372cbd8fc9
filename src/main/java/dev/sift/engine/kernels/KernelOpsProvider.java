package dev.sift.engine.kernels;

import java.util.Locale;

/**
 * Chooses the {@link KernelOps} once per JVM, the way Lucene's {@code VectorizationProvider} does: the Vector
 * API implementation where the {@code jdk.incubator.vector} module is present and the hardware has at least
 * 256-bit vectors, otherwise the scalar loops, with the reason kept for logs and {@code GET _sift/stats}.
 *
 * <p>The system property {@value #MODE_PROPERTY} ({@code auto}, {@code scalar} or {@code panama}) forces a
 * mode, for tests and benchmarks. Forcing {@code panama} where it cannot load is an error, not a silent
 * fallback.
 */
public final class KernelOpsProvider {

    public static final String MODE_PROPERTY = "sift.vectorization";
    private static final String PANAMA_CLASS = "dev.sift.engine.kernels.panama.PanamaKernelOps";

    private final KernelOps ops;
    private final String reason;

    private KernelOpsProvider(KernelOps ops, String reason) {
        this.ops = ops;
        this.reason = reason;
    }

    public KernelOps ops() {
        return ops;
    }

    /** Why this implementation was chosen, and how to get the other one. */
    public String reason() {
        return reason;
    }

    /** The JVM-wide choice, made on first use. */
    public static KernelOpsProvider get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final KernelOpsProvider INSTANCE = choose(System.getProperty(MODE_PROPERTY, "auto"));
    }

    /** Makes the choice for the given mode; public so that tests and benchmarks can build each mode. */
    public static KernelOpsProvider choose(String mode) {
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "scalar":
                return new KernelOpsProvider(ScalarKernelOps.INSTANCE, "forced by -D" + MODE_PROPERTY + "=scalar");
            case "panama": {
                String missing = panamaUnavailableReason();
                if (missing != null) {
                    throw new IllegalStateException("-D" + MODE_PROPERTY + "=panama but " + missing);
                }
                return new KernelOpsProvider(loadPanama(), "forced by -D" + MODE_PROPERTY + "=panama");
            }
            case "auto": {
                String missing = panamaUnavailableReason();
                if (missing != null) {
                    return new KernelOpsProvider(ScalarKernelOps.INSTANCE, missing + "; using scalar loops");
                }
                KernelOps panama = loadPanama();
                return new KernelOpsProvider(panama, "JDK Vector API available (" + panama.name() + ")");
            }
            default:
                throw new IllegalArgumentException(
                    "unknown value [" + mode + "] for -D" + MODE_PROPERTY + ", expected one of [auto, scalar, panama]"
                );
        }
    }

    /** Null when the Vector API can be used, else why not (and how to enable it). */
    private static String panamaUnavailableReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "the jdk.incubator.vector module is not present (Elasticsearch adds it on JDK 21+; "
                + "elsewhere start the JVM with --add-modules=jdk.incubator.vector)";
        }
        try {
            Class<?> c = Class.forName(PANAMA_CLASS);
            if (Boolean.FALSE.equals(c.getMethod("hardwareHas256Bits").invoke(null))) {
                return "the CPU has no 256-bit vector unit";
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            return "the Vector API implementation could not be loaded (" + e + ")";
        }
        return null;
    }

    private static KernelOps loadPanama() {
        try {
            Class<?> c = Class.forName(PANAMA_CLASS);
            boolean wide = (Boolean) c.getMethod("hardwareIsWide").invoke(null);
            return (KernelOps) c.getMethod("of", boolean.class).invoke(null, wide);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + PANAMA_CLASS, e);
        }
    }
}
