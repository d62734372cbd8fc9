package dev.sift.es.compute;

import dev.sift.engine.backend.CpuSelectionBackend;
import dev.sift.engine.backend.SelectionListener;
import dev.sift.engine.backend.opencl.OpenClDevice;
import dev.sift.engine.kernels.KernelOps;
import dev.sift.engine.kernels.ScalarKernelOps;
import dev.sift.es.SiftPlugin;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.test.ESTestCase;

import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.sameInstance;

/** {@code sift.backend} and {@code sift.gpu.*}: their values, the choice each makes, and the messages for what is refused. */
public class BackendChoiceTests extends ESTestCase {

    private static final KernelOps KERNELS = ScalarKernelOps.INSTANCE;

    private static BackendChoice choose(String value) {
        return choose(Settings.builder().put("sift.backend", value).build());
    }

    /** The choice with nobody listening, as a node makes it. */
    private static BackendChoice choose(Settings settings) {
        return BackendChoice.choose(settings, KERNELS, SelectionListener.NONE, r -> new Thread(r, "sift-opencl-test"), message -> {});
    }

    public void testSettingIsANodeSettingRegisteredByThePlugin() {
        Setting<BackendChoice.Requested> setting = BackendChoice.BACKEND_SETTING;
        assertThat(setting.getKey(), equalTo("sift.backend"));
        assertTrue(setting.hasNodeScope());
        assertFalse(setting.isDynamic());
        assertTrue(new SiftPlugin().getSettings().contains(setting));
        assertThat(setting.get(Settings.EMPTY), equalTo(BackendChoice.Requested.AUTO));
    }

    public void testParsesEachValue() {
        assertThat(BackendChoice.Requested.parse("auto"), equalTo(BackendChoice.Requested.AUTO));
        assertThat(BackendChoice.Requested.parse("cpu"), equalTo(BackendChoice.Requested.CPU));
        assertThat(BackendChoice.Requested.parse("gpu"), equalTo(BackendChoice.Requested.GPU));
    }

    /** Whether this machine has a GPU or accelerator OpenCL device with fp64 (CI has none; POCL is a CPU device). */
    static boolean gpuPresent() {
        try {
            OpenClDevice.open(OpenClDevice.Eligible.GPU).close();
            return true;
        } catch (OpenClDevice.Unavailable e) {
            return false;
        }
    }

    public void testDefaultIsAutoAndRunsOnTheCpuWithoutAGpuSayingWhy() {
        assumeFalse("a GPU is present: auto uses it", gpuPresent());
        try (BackendChoice choice = choose(Settings.EMPTY)) {
            assertThat(choice.requested(), equalTo(BackendChoice.Requested.AUTO));
            assertThat(choice.backend(), instanceOf(CpuSelectionBackend.class));
            assertThat(choice.backend().name(), equalTo("cpu"));
            assertThat(((CpuSelectionBackend) choice.backend()).ops(), sameInstance(KERNELS));
            assertThat(choice.gpu(), nullValue());
            // Honest about what was looked for and what was found.
            assertThat(choice.reason(), startsWith("[sift.backend] is [auto] and [sift.gpu.device_type] is [gpu] but "));
            assertThat(choice.reason(), anyOf(containsString("no OpenCL device of type GPU or accelerator"), containsString("no OpenCL platform")));
            assertThat(choice.reason(), endsWith("; selections run on the CPU"));
        }
    }

    public void testCpuIsTheCpu() {
        BackendChoice choice = choose("cpu");
        assertThat(choice.requested(), equalTo(BackendChoice.Requested.CPU));
        assertThat(choice.backend().name(), equalTo("cpu"));
        assertThat(choice.backend().device(), equalTo(KERNELS.name()));
        assertThat(choice.reason(), equalTo("[sift.backend] is [cpu]"));
        assertThat(choice.gpu(), nullValue());
    }

    public void testGpuWithoutAGpuIsRefusedNamingTheSettingsAndTheWaysOut() {
        assumeFalse("a GPU is present", gpuPresent());
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> choose("gpu"));
        assertThat(e.getMessage(), startsWith("[sift.backend] is [gpu] and [sift.gpu.device_type] is [gpu] but no OpenCL device can run the selections: "));
        assertThat(e.getMessage(), containsString("set [sift.backend] to [auto] or [cpu] to run them on the CPU"));
        assertThat(e.getMessage(), containsString("or [sift.gpu.device_type] to [any] to accept a CPU OpenCL device"));
    }

    /** On POCL (installed by scripts/setup): any device is accepted, the kernels run, and the reason says where. */
    public void testGpuOnAnyDeviceRunsOnTheOpenClDevice() {
        Settings settings = Settings.builder().put("sift.backend", "gpu").put("sift.gpu.device_type", "any").put("sift.gpu.min_window_elements", 0).build();
        BackendChoice choice;
        try {
            choice = choose(settings);
        } catch (IllegalArgumentException e) {
            assumeFalse("no OpenCL device here: " + e.getMessage(), Boolean.getBoolean("sift.test.requireOpenCl") == false);
            throw e;
        }
        try {
            assertThat(choice.backend().name(), equalTo("gpu"));
            assertNotNull(choice.gpu());
            assertThat(choice.gpu().minElements(), equalTo(0L));
            assertThat(choice.gpu().memoryBudget(), equalTo(choice.gpu().openClDevice().info().globalMemoryBytes() / 2));
            assertThat(choice.reason(), containsString("OpenCL device [" + choice.gpu().openClDevice().info().name() + "]"));
            assertThat(choice.reason(), containsString("runs the kernels"));
            assertThat(choice.gpu().batches(), equalTo(1L)); // the start-up check
        } finally {
            choice.close();
        }
    }

    public void testGpuSettingsAreValidated() {
        IllegalArgumentException e = expectThrows(
            IllegalArgumentException.class,
            () -> choose(Settings.builder().put("sift.backend", "cpu").put("sift.gpu.device_type", "cpu").build())
        );
        assertThat(e.getMessage(), equalTo("unknown value [cpu] for setting [sift.gpu.device_type], expected one of [gpu, any]"));
        e = expectThrows(
            IllegalArgumentException.class,
            () -> BackendChoice.MIN_WINDOW_ELEMENTS_SETTING.get(Settings.builder().put("sift.gpu.min_window_elements", -1).build())
        );
        assertThat(e.getMessage(), containsString("sift.gpu.min_window_elements"));
        e = expectThrows(
            IllegalArgumentException.class,
            () -> BackendChoice.MEMORY_FRACTION_SETTING.get(Settings.builder().put("sift.gpu.memory_fraction", 1.5).build())
        );
        assertThat(e.getMessage(), containsString("sift.gpu.memory_fraction"));
        e = expectThrows(
            IllegalArgumentException.class,
            () -> BackendChoice.MAX_BATCH_SETTING.get(Settings.builder().put("sift.gpu.max_batch", 0).build())
        );
        assertThat(e.getMessage(), containsString("sift.gpu.max_batch"));
        e = expectThrows(
            IllegalArgumentException.class,
            () -> BackendChoice.BATCH_WAIT_SETTING.get(Settings.builder().put("sift.gpu.batch_wait", "-1ms").build())
        );
        assertThat(e.getMessage(), containsString("sift.gpu.batch_wait"));
        for (Setting<?> setting : BackendChoice.SETTINGS) {
            assertTrue(setting.getKey(), setting.hasNodeScope());
            assertFalse(setting.getKey(), setting.isDynamic());
            assertTrue(setting.getKey(), new SiftPlugin().getSettings().contains(setting));
        }
    }

    public void testUnknownValuesAreRefusedListingTheValues() {
        for (String value : new String[] { "cuda", "GPU", "Auto", "", " cpu" }) {
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> choose(value));
            assertThat(e.getMessage(), equalTo("unknown value [" + value + "] for setting [sift.backend], expected one of [auto, cpu, gpu]"));
        }
    }
}
