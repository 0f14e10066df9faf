using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Autopilot.Training;

/// <summary>
/// Points the "ggml-base" / "ggml-cpu" DllImports at the native libraries LLamaSharp.Backend.Cpu copies into
/// runtimes/&lt;rid&gt;/native[/&lt;cpu variant&gt;], choosing the CPU variant the way LLamaSharp does (the widest vector
/// extension this CPU supports), so training runs the same kernels inference will.
/// </summary>
/// <remarks>
/// The resolver is process-wide by nature (one per assembly), so the chosen folder is a static set once at start-up.
/// </remarks>
internal static class NativeLibraries
{
    public const string GgmlBase = "ggml-base";
    public const string GgmlCpu = "ggml-cpu";

    /// <summary>The folder the libraries are loaded from; empty until <see cref="Register"/> ran.</summary>
    public static string Directory { get; private set; } = "";

    public static void Register()
    {
        if (Directory.Length > 0) return;
        OpenMpWaitPolicy.PreferPassive();   // before ggml-cpu (and with it libgomp) is loaded
        Directory = FindDirectory();
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
    }

    /// <summary>Address of a function exported by ggml-base, to hand to native code as a callback.</summary>
    public static IntPtr GgmlBaseExport(string symbol) =>
        NativeLibrary.GetExport(NativeLibrary.Load(Path.Combine(Directory, FileName(GgmlBase))), symbol);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != GgmlBase && name != GgmlCpu) return IntPtr.Zero;
        // ggml-cpu links against ggml-base by soname; loading base first by full path makes sure the copy next to it
        // (not some other libggml-base.so on the system path) satisfies that dependency.
        var baseHandle = NativeLibrary.Load(Path.Combine(Directory, FileName(GgmlBase)));
        return name == GgmlBase ? baseHandle : NativeLibrary.Load(Path.Combine(Directory, FileName(GgmlCpu)));
    }

    private static string FindDirectory()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeId(), "native");
        // x64 packages ship one build per vector extension; other platforms ship one build directly in native/.
        string[] variants = RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? [.. CpuVariants(), ""]
            : [""];
        foreach (var variant in variants)
        {
            var candidate = Path.Combine(native, variant);
            if (File.Exists(Path.Combine(candidate, FileName(GgmlCpu)))) return candidate;
        }
        throw new TrainerException(
            $"The ggml native libraries were not found under {native} (expected from the LLamaSharp.Backend.Cpu package).");
    }

    private static IEnumerable<string> CpuVariants()
    {
        if (Avx512F.IsSupported) yield return "avx512";
        if (Avx2.IsSupported) yield return "avx2";
        if (Avx.IsSupported) yield return "avx";
        yield return "noavx";
    }

    private static string RuntimeId()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        return $"{os}-{arch}";
    }

    private static string FileName(string library) =>
        OperatingSystem.IsWindows() ? $"{library}.dll" : OperatingSystem.IsMacOS() ? $"lib{library}.dylib" : $"lib{library}.so";
}
