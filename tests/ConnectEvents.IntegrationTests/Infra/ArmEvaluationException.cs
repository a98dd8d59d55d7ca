namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>
/// The template checker met something it does not evaluate (an expression function, a template feature, a value known
/// only at deployment where a decision needs it): it stops here instead of guessing, so a check cannot pass by skipping.
/// </summary>
public sealed class ArmEvaluationException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public ArmEvaluationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and the failure it wraps.</summary>
    public ArmEvaluationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a reason (for serializers; the checker always gives one).</summary>
    public ArmEvaluationException()
    {
    }
}
