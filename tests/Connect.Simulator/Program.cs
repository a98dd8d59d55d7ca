namespace Connect.Simulator;

/// <summary>Entry point of the Connect simulator when run on its own (<c>dotnet run --project tests/Connect.Simulator -- --urls http://127.0.0.1:7072</c>).</summary>
public static class SimulatorProgram
{
    /// <summary>Starts the simulator and blocks until it is stopped.</summary>
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var app = builder.Build();
        app.Run();
    }
}
