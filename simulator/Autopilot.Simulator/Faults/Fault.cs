namespace Autopilot.Simulator.Faults;

/// <summary>
/// Something going wrong in the simulated cluster. A fault is active from when it is injected until it is
/// cleared; the simulator asks each active fault how it changes a version's behaviour at an instant.
/// </summary>
public abstract record Fault(string Id)
{
    /// <summary>Extra share of requests that fail with a 5xx (0..1) for this version at this instant.</summary>
    public virtual double ErrorRatio(string version, TimeSpan sinceInjected) => 0;

    /// <summary>Extra latency added to every request of this version.</summary>
    public virtual double AddedLatencyMs(string version) => 0;

    /// <summary>Factor on the workload's request rate.</summary>
    public virtual double TrafficMultiplier => 1;

    /// <summary>Container restarts per minute for this version.</summary>
    public virtual double RestartsPerMinute(string version) => 0;

    /// <summary>Dependency this fault takes down, if any.</summary>
    public virtual string? DownDependency => null;

    /// <summary>When set, the serving certificate expires this long after the fault is injected.</summary>
    public virtual TimeSpan? CertificateExpiresIn => null;

    /// <summary>The one backend this fault breaks; null when it breaks none or every one ("*").</summary>
    public virtual string? Backend => null;

    /// <summary>Status code failures are served with.</summary>
    public virtual string FailureCode => "500";

    protected static bool Matches(string pattern, string version) => pattern == "*" || pattern == version;
}

/// <summary>A share of one version's requests (or every version's, with "*") answer 500.</summary>
public sealed record ErrorRateFault(string Id, string Version, double Ratio) : Fault(Id)
{
    public override string? Backend => Version == "*" ? null : Version;

    public override double ErrorRatio(string version, TimeSpan sinceInjected) => Matches(Version, version) ? Ratio : 0;
}

/// <summary>Every request of one version takes this much longer.</summary>
public sealed record LatencyFault(string Id, string Version, double AddedMs) : Fault(Id)
{
    public override string? Backend => Version == "*" ? null : Version;

    public override double AddedLatencyMs(string version) => Matches(Version, version) ? AddedMs : 0;
}

/// <summary>A dependency is down: every version fails the same share of requests (503), so rerouting can't help.</summary>
public sealed record DependencyOutageFault(string Id, string Dependency, double Ratio) : Fault(Id)
{
    public override double ErrorRatio(string version, TimeSpan sinceInjected) => Ratio;

    public override string? DownDependency => Dependency;

    public override string FailureCode => "503";
}

/// <summary>The workload receives Multiplier times its normal traffic.</summary>
public sealed record SurgeFault(string Id, double Multiplier) : Fault(Id)
{
    public override double TrafficMultiplier => Multiplier;
}

/// <summary>One version's pods keep restarting; requests that land on a restarting pod fail (503).</summary>
public sealed record CrashLoopFault(string Id, string Version, double RestartsEveryMinute, double Ratio) : Fault(Id)
{
    public override string? Backend => Version == "*" ? null : Version;

    public override double RestartsPerMinute(string version) => Matches(Version, version) ? RestartsEveryMinute : 0;

    public override double ErrorRatio(string version, TimeSpan sinceInjected) => Matches(Version, version) ? Ratio : 0;

    public override string FailureCode => "503";
}

/// <summary>The serving certificate was not renewed and expires soon.</summary>
public sealed record CertificateExpiryFault(string Id, TimeSpan ExpiresIn) : Fault(Id)
{
    public override TimeSpan? CertificateExpiresIn => ExpiresIn;
}

/// <summary>One version fails in short bursts: Ratio of its requests for Period, then healthy for Period, and so on.</summary>
public sealed record FlappingFault(string Id, string Version, double Ratio, TimeSpan Period) : Fault(Id)
{
    public override string? Backend => Version == "*" ? null : Version;

    public override double ErrorRatio(string version, TimeSpan sinceInjected) =>
        Matches(Version, version) && (long)(sinceInjected / Period) % 2 == 0 ? Ratio : 0;
}
