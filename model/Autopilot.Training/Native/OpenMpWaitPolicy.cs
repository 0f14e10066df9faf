using System.Runtime.InteropServices;

namespace Autopilot.Training;

/// <summary>
/// The Linux ggml-cpu builds run their thread pool on OpenMP (libgomp), whose threads by default spin at every
/// barrier, and ggml puts a barrier after every graph node. When the cores are shared with other work, spinning
/// threads starve the one thread the others wait for: measured on 2 busy cores, 2 threads ran at 205 tokens/s with
/// the default policy and 700 with OMP_WAIT_POLICY=PASSIVE; on idle cores passive costs about 4 %. So the trainer
/// asks for passive waiting unless its parent chose a policy. libgomp reads the variable when it is loaded (with
/// ggml-cpu), and .NET's Environment.SetEnvironmentVariable does not reach native getenv, hence libc's setenv.
/// </summary>
internal static class OpenMpWaitPolicy
{
    private const string Variable = "OMP_WAIT_POLICY";

    public static void PreferPassive()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable(Variable) is not null) return;
        if (setenv(Variable, "PASSIVE", overwrite: 0) != 0)
            Console.Error.WriteLine($"autopilot-trainer: could not set {Variable}; OpenMP threads will spin-wait.");
    }

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern int setenv(string name, string value, int overwrite);
}
