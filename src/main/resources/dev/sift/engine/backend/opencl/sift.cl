// Greedy SIFT on an OpenCL device (see docs/sift.md): the same arithmetic as the CPU engine's PosteriorState,
// in double precision, for a batch of independent selections that step together. Every kernel serves the whole
// batch; a selection that stopped leaves the later launches untouched.
//
// Layout, per selection b of the batch (offsets in the table P):
//   X      its K candidate vectors, column-major (dimension j of candidate i at X[vec + j*K + i]), floats
//   diag   k_t(x,x) per candidate; gains the gain per candidate; taken 1 for a candidate picked already
//   cross  k_t(a,x): target a's row at cross[crossOff + a*K]
//   cols   the scaled columns c_s of the earlier picks: observation s at cols[colOff + s*K]
// The state of a selection: S[b] = {pick, done, steps}, V[b] = {variance, scale}, and its weights
// k_t(a, pick) * scale per target a at W[weightOff + a]. The trajectory goes to picks/gains/variances at traj.

#pragma OPENCL EXTENSION cl_khr_fp64 : enable
// Java rounds each product and each sum; a fused multiply-add would round once and drift from the CPU engine.
#pragma OPENCL FP_CONTRACT OFF

#define F_K 0
#define F_D 1
#define F_T 2
#define F_STEPS 3
#define F_VEC 4
#define F_CAND 5
#define F_CROSS 6
#define F_COL 7
#define F_TARGET 8
#define F_TRAJ 9
#define F_WEIGHT 10
#define F_REPEATS 11
#define F_KEEP_FIRST 12
#define FIELDS 13

#define D_LAMBDA 0
#define D_MIN_GAIN 1
#define D_TARGET_VARIANCE 2
#define DOUBLES 3

#define S_PICK 0
#define S_DONE 1
#define S_STEPS 2
#define STATE 3

#define V_VARIANCE 0
#define V_SCALE 1

// rows (row-major, candidate i at i*d) to X (column-major), for one selection
__kernel void transpose(__global const float* rows, __global float* X, long K, long d, long offset) {
    long g = get_global_id(0);
    if (g >= K * d) {
        return;
    }
    long i = g / d;
    long j = g - i * d;
    X[offset + j * K + i] = rows[offset + g];
}

// k_0(x,x), k_0(a,x) and the gains, for every candidate of the batch (one work item each)
__kernel void init(
    __global const long* P, __global const double* D, __global const int* owner, int total,
    __global const float* X, __global const float* targets,
    __global double* diag, __global double* cross, __global double* gains, __global int* taken
) {
    int g = get_global_id(0);
    if (g >= total) {
        return;
    }
    int b = owner[g];
    __global const long* p = P + b * FIELDS;
    long K = p[F_K], d = p[F_D], T = p[F_T];
    long i = g - p[F_CAND];
    __global const float* x = X + p[F_VEC] + i;
    double norm = 0;
    for (long j = 0; j < d; j++) {
        double v = x[j * K];
        norm += v * v;
    }
    diag[g] = norm;
    taken[g] = 0;
    double numerator = 0;
    for (long a = 0; a < T; a++) {
        __global const float* t = targets + p[F_TARGET] + a * d;
        double s = 0;
        for (long j = 0; j < d; j++) {
            s += (double) x[j * K] * (double) t[j];
        }
        cross[p[F_CROSS] + a * K + i] = s;
        numerator += s * s;
    }
    gains[g] = numerator / (norm + D[b * DOUBLES + D_LAMBDA]);
}

// The stopping rules, the trajectory, and what the update needs of the pick: one work item per selection.
void record(
    __global const long* p, __global const double* d, int chosen, double gain,
    __global int* taken, __global const double* diag, __global const double* cross,
    __global int* s, __global double* v, __global double* W,
    __global int* picks, __global double* pickGains, __global double* variances, int t
) {
    bool belowMinGain = gain < d[D_MIN_GAIN]; // false when the rule is off (NaN)
    if (chosen < 0 || (belowMinGain && (t > 0 || p[F_KEEP_FIRST] == 0))) {
        s[S_DONE] = 1;
        return;
    }
    double variance = v[V_VARIANCE] - gain;
    v[V_VARIANCE] = variance;
    long traj = p[F_TRAJ];
    picks[traj + t] = chosen;
    pickGains[traj + t] = gain;
    variances[traj + t] = variance;
    s[S_STEPS] = t + 1;
    long base = p[F_CAND];
    if (p[F_REPEATS] == 0) {
        taken[base + chosen] = 1;
    }
    if (t + 1 == p[F_STEPS] || variance <= d[D_TARGET_VARIANCE] || belowMinGain) {
        s[S_DONE] = 1; // the last pick needs no update
        return;
    }
    // the tracked diagonal, the value the gain used, so that V decreases by exactly the winning gain
    double scale = 1.0 / sqrt(diag[base + chosen] + d[D_LAMBDA]);
    s[S_PICK] = chosen;
    v[V_SCALE] = scale;
    for (long a = 0; a < p[F_T]; a++) {
        W[p[F_WEIGHT] + a] = cross[p[F_CROSS] + a * p[F_K] + chosen] * scale;
    }
}

// Step t's pick for each selection (one work group each): the largest gain not taken, ties to the earlier
// candidate; then the stopping rules, the trajectory, and what the update needs of the pick.
__kernel void pick(
    __global const long* P, __global const double* D, __global const double* gains, __global int* taken,
    __global const double* diag, __global const double* cross,
    __global int* S, __global double* V, __global double* W,
    __global int* picks, __global double* pickGains, __global double* variances, int t,
    __local double* bestGain, __local int* bestIndex
) {
    int b = get_group_id(0);
    int lid = get_local_id(0);
    int size = get_local_size(0);
    // No return before or between the barriers, even a uniform one: POCL's work-group loops mishandle it.
    bool active = S[b * STATE + S_DONE] == 0;
    __global const long* p = P + b * FIELDS;
    int K = active ? (int) p[F_K] : 0;
    long base = p[F_CAND];
    double best = -INFINITY;
    int at = -1;
    for (int i = lid; i < K; i += size) {
        double g = gains[base + i];
        if (taken[base + i] == 0 && g > best) { // NaN never wins; increasing i keeps the earlier of equals
            best = g;
            at = i;
        }
    }
    bestGain[lid] = best;
    bestIndex[lid] = at;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = size / 2; stride > 0; stride /= 2) {
        if (lid < stride) {
            double g = bestGain[lid + stride];
            int i = bestIndex[lid + stride];
            if (i >= 0 && (bestIndex[lid] < 0 || g > bestGain[lid] || (g == bestGain[lid] && i < bestIndex[lid]))) {
                bestGain[lid] = g;
                bestIndex[lid] = i;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (active && lid == 0) {
        record(P + b * FIELDS, D + b * DOUBLES, bestIndex[0], bestGain[0], taken, diag, cross, S + b * STATE, V + b * 2, W,
               picks, pickGains, variances, t);
    }
}

// Step t's observation of the pick, for every candidate of the batch (one work item each): the pick's column
// k_t(., pick), scaled, then the rank-one update of the diagonal, the target rows and the gains.
__kernel void update(
    __global const long* P, __global const double* D, __global const int* owner, int total,
    __global const float* X, __global double* cols,
    __global double* diag, __global double* cross, __global double* gains,
    __global const int* S, __global const double* V, __global const double* W, int t
) {
    int g = get_global_id(0);
    if (g >= total) {
        return;
    }
    int b = owner[g];
    if (S[b * STATE + S_DONE]) {
        return;
    }
    __global const long* p = P + b * FIELDS;
    long K = p[F_K], d = p[F_D], T = p[F_T];
    long i = g - p[F_CAND];
    long chosen = S[b * STATE + S_PICK];
    __global const float* x = X + p[F_VEC];
    double column = 0;
    for (long j = 0; j < d; j++) {
        column += (double) x[j * K + i] * (double) x[j * K + chosen];
    }
    __global double* c = cols + p[F_COL];
    for (long s = 0; s < t; s++) {
        column -= c[s * K + i] * c[s * K + chosen];
    }
    column *= V[b * 2 + V_SCALE];
    c[t * K + i] = column;
    // A variance is never negative; clamp the rounding error of the subtraction.
    double variance = fmax(0.0, diag[g] - column * column);
    diag[g] = variance;
    double numerator = 0;
    for (long a = 0; a < T; a++) {
        long at = p[F_CROSS] + a * K + i;
        double k = cross[at] - W[p[F_WEIGHT] + a] * column;
        cross[at] = k;
        numerator += k * k;
    }
    gains[g] = numerator / (variance + D[b * DOUBLES + D_LAMBDA]);
}
