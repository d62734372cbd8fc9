package dev.sift.es.compute;

import dev.sift.engine.backend.CpuSelectionBackend;
import dev.sift.engine.compute.KernelOps;
import dev.sift.engine.compute.ScalarKernelOps;
import dev.sift.es.SiftPlugin;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.test.ESTestCase;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.sameInstance;

/** {@code sift.backend}: its values, the choice each makes, and the messages for values this build refuses. */
public class BackendChoiceTests extends ESTestCase {

    private static final KernelOps KERNELS = ScalarKernelOps.INSTANCE;

    private static BackendChoice choose(String value) {
        return BackendChoice.choose(Settings.builder().put("sift.backend", value).build(), KERNELS);
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

    public void testDefaultIsAutoAndRunsOnTheCpuSayingWhy() {
        BackendChoice choice = BackendChoice.choose(Settings.EMPTY, KERNELS);
        assertThat(choice.requested(), equalTo(BackendChoice.Requested.AUTO));
        assertThat(choice.backend(), instanceOf(CpuSelectionBackend.class));
        assertThat(choice.backend().name(), equalTo("cpu"));
        assertThat(((CpuSelectionBackend) choice.backend()).ops(), sameInstance(KERNELS));
        // Honest about what was checked: no GPU backend is built in, and no device was probed.
        assertThat(choice.reason(), containsString("[sift.backend] is [auto]"));
        assertThat(choice.reason(), containsString("no GPU backend"));
        assertThat(choice.reason(), containsString("no CUDA device was looked for"));
        assertThat(choose("auto").reason(), equalTo(choice.reason()));
    }

    public void testCpuIsTheCpu() {
        BackendChoice choice = choose("cpu");
        assertThat(choice.requested(), equalTo(BackendChoice.Requested.CPU));
        assertThat(choice.backend().name(), equalTo("cpu"));
        assertThat(choice.backend().device(), equalTo(KERNELS.name()));
        assertThat(choice.reason(), equalTo("[sift.backend] is [cpu]"));
    }

    public void testGpuIsRefusedNamingTheSettingAndTheWayOut() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> choose("gpu"));
        assertThat(e.getMessage(), containsString("[sift.backend] is [gpu]"));
        assertThat(e.getMessage(), containsString("has no GPU backend"));
        assertThat(e.getMessage(), containsString("set [sift.backend] to [auto] or [cpu]"));
    }

    public void testUnknownValuesAreRefusedListingTheValues() {
        for (String value : new String[] { "cuda", "GPU", "Auto", "", " cpu" }) {
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> choose(value));
            assertThat(e.getMessage(), equalTo("unknown value [" + value + "] for setting [sift.backend], expected one of [auto, cpu, gpu]"));
        }
    }
}
