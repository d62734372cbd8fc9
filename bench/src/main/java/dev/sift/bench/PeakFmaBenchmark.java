package dev.sift.bench;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The measured ceiling for the engine's arithmetic on this core: double-precision fused multiply-adds from
 * registers, 16 independent dependency chains (enough to cover FMA latency × ports), no memory traffic. Scores
 * are multiply-adds per second (one per double lane). Needs {@code --add-modules jdk.incubator.vector}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PeakFmaBenchmark {

    private static final int STEPS = 4096;

    private double multiplier = 0.999999;
    private double addend = 1e-7;

    // Two copies of one loop: the Vector API is only compiled to vector instructions when the species is a
    // compile-time constant, so each width gets its own method with a static final species.
    private static final VectorSpecies<Double> D512 = DoubleVector.SPECIES_512;
    private static final VectorSpecies<Double> D256 = DoubleVector.SPECIES_256;

    @Benchmark
    @OperationsPerInvocation(16 * 8 * STEPS)
    public double fma512() {
        DoubleVector m = DoubleVector.broadcast(D512, multiplier);
        DoubleVector c = DoubleVector.broadcast(D512, addend);
        DoubleVector a0 = DoubleVector.broadcast(D512, 1.0), a1 = a0.add(c), a2 = a1.add(c), a3 = a2.add(c);
        DoubleVector a4 = a3.add(c), a5 = a4.add(c), a6 = a5.add(c), a7 = a6.add(c);
        DoubleVector a8 = a7.add(c), a9 = a8.add(c), a10 = a9.add(c), a11 = a10.add(c);
        DoubleVector a12 = a11.add(c), a13 = a12.add(c), a14 = a13.add(c), a15 = a14.add(c);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
            a12 = a12.fma(m, c);
            a13 = a13.fma(m, c);
            a14 = a14.fma(m, c);
            a15 = a15.fma(m, c);
        }
        DoubleVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7);
        sum = sum.add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15);
        return sum.reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    @OperationsPerInvocation(16 * 4 * STEPS)
    public double fma256() {
        DoubleVector m = DoubleVector.broadcast(D256, multiplier);
        DoubleVector c = DoubleVector.broadcast(D256, addend);
        DoubleVector a0 = DoubleVector.broadcast(D256, 1.0), a1 = a0.add(c), a2 = a1.add(c), a3 = a2.add(c);
        DoubleVector a4 = a3.add(c), a5 = a4.add(c), a6 = a5.add(c), a7 = a6.add(c);
        DoubleVector a8 = a7.add(c), a9 = a8.add(c), a10 = a9.add(c), a11 = a10.add(c);
        DoubleVector a12 = a11.add(c), a13 = a12.add(c), a14 = a13.add(c), a15 = a14.add(c);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
            a12 = a12.fma(m, c);
            a13 = a13.fma(m, c);
            a14 = a14.fma(m, c);
            a15 = a15.fma(m, c);
        }
        DoubleVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7);
        sum = sum.add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15);
        return sum.reduceLanes(VectorOperators.ADD);
    }
}
