namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>What <see cref="QueueRightsCheck"/> found.</summary>
/// <param name="EnabledTriggers">The functions whose queue triggers run in the checked configuration (their queues were checked).</param>
/// <param name="Problems">Each missing queue, missing or too wide grant, or unresolvable trigger, one sentence each.</param>
public sealed record QueueRightsReport(IReadOnlyList<string> EnabledTriggers, IReadOnlyList<string> Problems)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"enabled queue triggers: {string.Join(", ", EnabledTriggers)}; problems:{(Problems.Count == 0 ? " none" : "\n- " + string.Join("\n- ", Problems))}";
}
