namespace Autopilot.Training;

/// <summary>
/// autopilot-trainer: trains a small llama GGUF from scratch on CPU with ggml-opt, as a child process of
/// <c>autopilot train</c> (a native abort then ends only this process). Exit codes: 0 done, 1 failed (an error
/// event says why), 2 bad command line (stderr names the flag).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        object settings;
        try
        {
            settings = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"autopilot-trainer: {e.Message}");
            Console.Error.WriteLine(CommandLine.Usage);
            return 2;
        }

        var events = ProgressEvents.StandardOutput();
        try
        {
            NativeLibraries.Register();
            Console.Error.WriteLine($"autopilot-trainer: ggml from {NativeLibraries.Directory}");
            if (settings is TrainSettings train) TrainCommand.Run(train, events);
            else LossCommand.Run((LossSettings)settings, events);
            return 0;
        }
        catch (Exception e)
        {
            // Expected failures carry a message for the user; anything else also gets its stack trace on stderr.
            if (e is not TrainerException) Console.Error.WriteLine(e);
            events.Error(e is TrainerException ? e.Message : $"{e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
