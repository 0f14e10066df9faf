namespace Autopilot.Training;

/// <summary>
/// Linear warm-up from lr/warmup to lr over the first <c>warmup</c> steps, then cosine decay to lr·minRatio at the
/// last step. Warm-up keeps AdamW's first, badly estimated moments from taking large steps on a fresh model.
/// </summary>
internal sealed record LearningRateSchedule(float PeakRate, float MinRatio, int WarmupSteps, long TotalSteps)
{
    /// <summary>The rate for step <paramref name="step"/> (0-based).</summary>
    public float At(long step)
    {
        if (step < WarmupSteps) return PeakRate * (step + 1) / WarmupSteps;
        var decaySteps = TotalSteps - WarmupSteps - 1;
        var progress = decaySteps <= 0 ? 1.0 : Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0.0, 1.0);
        double min = PeakRate * MinRatio;
        return (float)(min + 0.5 * (PeakRate - min) * (1 + Math.Cos(Math.PI * progress)));
    }
}
