package dev.sift.engine.kernels;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** The backend choice: forced modes, auto with and without the Vector API module, and a bad mode. */
public class KernelOpsProviderTests {

    private static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    @Test
    public void testScalarIsForcible() {
        for (String mode : new String[] { "scalar", "SCALAR", "Scalar" }) {
            KernelOpsProvider p = KernelOpsProvider.choose(mode);
            assertSame(ScalarKernelOps.INSTANCE, p.ops());
            assertEquals("scalar", p.ops().name());
            assertTrue(p.reason(), p.reason().contains(KernelOpsProvider.MODE_PROPERTY + "=scalar"));
        }
    }

    @Test
    public void testAuto() {
        KernelOpsProvider p = KernelOpsProvider.choose("auto");
        if (vectorModulePresent()) {
            // This project's CI hardware has at least 256-bit vectors; elsewhere auto may still fall back, with a reason.
            if (p.ops() == ScalarKernelOps.INSTANCE) {
                assertTrue(p.reason(), p.reason().contains("256-bit"));
            } else {
                assertTrue(p.ops().name(), p.ops().name().startsWith("panama["));
                assertTrue(p.reason(), p.reason().contains("Vector API"));
            }
        } else {
            assertSame(ScalarKernelOps.INSTANCE, p.ops());
            // The reason says what is missing and how to get it.
            assertTrue(p.reason(), p.reason().contains("jdk.incubator.vector"));
            assertTrue(p.reason(), p.reason().contains("--add-modules"));
        }
    }

    @Test
    public void testPanamaForced() {
        if (vectorModulePresent()) {
            KernelOps ops = KernelOpsProvider.choose("panama").ops();
            assertTrue(ops.name(), ops.name().equals("panama[512]") || ops.name().equals("panama[256]"));
        } else {
            // Forcing an unavailable mode is an error, not a silent fallback.
            try {
                KernelOpsProvider.choose("panama");
                fail("panama forced without the module");
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("jdk.incubator.vector"));
                assertTrue(e.getMessage(), e.getMessage().contains(KernelOpsProvider.MODE_PROPERTY));
            }
        }
    }

    @Test
    public void testUnknownMode() {
        for (String mode : new String[] { "bogus", "", "gpu" }) {
            try {
                KernelOpsProvider.choose(mode);
                fail("accepted [" + mode + "]");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("[" + mode + "]"));
                assertTrue(e.getMessage(), e.getMessage().contains(KernelOpsProvider.MODE_PROPERTY));
                assertTrue(e.getMessage(), e.getMessage().contains("auto, scalar, panama"));
            }
        }
    }

    @Test
    public void testJvmWideChoiceIsMadeOnce() {
        KernelOpsProvider p = KernelOpsProvider.get();
        assertSame(p, KernelOpsProvider.get());
        assertNotNull(p.ops());
        assertNotNull(p.reason());
    }
}
