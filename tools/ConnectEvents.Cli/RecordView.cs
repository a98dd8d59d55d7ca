using System.Globalization;
using System.Text;
using System.Text.Json;
using ConnectEvents.Idempotence;

namespace ConnectEvents.Cli;

/// <summary>How records, poison messages and quarantine entries are printed: one line in a list, a block for <c>status</c>.</summary>
internal static class RecordView
{
    /// <summary>The state an operator should see: a record whose event sits in the poison queue is poisoned, whatever it says.</summary>
    public static string State(ProcessedEventRecord? record, bool poisoned) => (record, poisoned) switch
    {
        (null, true) => "Poisoned (no record)",
        (null, false) => "(no record)",
        ({ State: ProcessingState.DeadLettered }, true) => "Poisoned",
        (_, true) => $"Poisoned (record says {record.State})",
        _ => record.State.ToString(),
    };

    public static string Line(ProcessedEventRecord r, bool poisoned = false) =>
        Join(r.EventId, State(r, poisoned), r.EventType, r.PaymentId is null ? null : "payment " + r.PaymentId,
            Time(r.UpdatedAt ?? r.CompletedAt ?? r.FirstSeenAt), r.Outcome ?? r.LastError);

    public static string Line(PoisonMessage m, ProcessedEventRecord? r) =>
        Join(m.EventId, State(r, poisoned: true), m.Envelope?.Type, (r?.PaymentId ?? m.Envelope?.ResourceId) is { } pay ? "payment " + pay : null,
            "message " + m.MessageId, "inserted " + Time(m.InsertedOn), r?.Outcome ?? r?.LastError);

    public static string Line(QuarantineBlob q, QuarantinedEntryFacts? facts) =>
        Join(q.EntryId, q.ReplayedAt is null ? "Quarantined" : $"Replayed {q.ReplayedAt} as {q.ReplayedEventId}", Time(q.ReceivedAt),
            facts?.KeyId is { } key ? "key " + key : null, facts?.Reason);

    /// <summary>The <c>status</c> block of one record.</summary>
    public static string Block(ProcessedEventRecord r, PoisonMessage? poison)
    {
        var text = new StringBuilder();
        void Row(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                text.Append(CultureInfo.InvariantCulture, $"  {name,-12}{value}\n");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"event {r.EventId}\n");
        Row("state", State(r, poison is not null));
        Row("outcome", r.Outcome);
        Row("type", r.EventType);
        Row("merchant", r.MerchantId);
        Row("payment", r.PaymentId);
        Row("attempts", r.Attempts.ToString(CultureInfo.InvariantCulture));
        Row("lease", r.State != ProcessingState.Processing ? null
            : r.LeaseExpiresAt is null ? "none (claimable: reopened for replay)" : $"{r.LeaseOwner} until {Time(r.LeaseExpiresAt)}");
        Row("first seen", Time(r.FirstSeenAt));
        Row("completed", Time(r.CompletedAt));
        Row("updated", Time(r.UpdatedAt));
        Row("last error", r.LastError);
        Traces(r, Row);
        Detail(r.DetailJson, Row);
        Row("body", r.Body is { } body ? $"stored ({body.Length} bytes): replayable" : "not stored");
        Row("poison", poison is null ? null : $"message {poison.MessageId} inserted {Time(poison.InsertedOn)}, dequeued {poison.DequeueCount} times");
        return text.ToString();
    }

    /// <summary>One row per attempt whose trace the record keeps: the trace id to look up (docs/operations.md has the query).</summary>
    private static void Traces(ProcessedEventRecord r, Action<string, string?> row)
    {
        var parents = (r.TraceParents ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var first = r.Attempts - parents.Length + 1;
        for (var i = 0; i < parents.Length; i++)
        {
            var parts = parents[i].Split('-');
            var traceId = parts.Length == 4 ? parts[1] : parents[i];
            var sampled = parts.Length == 4 && parts[3] == "00" ? " (not sampled)" : "";
            row(i == 0 ? "traces" : "", $"attempt {(first + i).ToString(CultureInfo.InvariantCulture)}: trace {traceId}{sampled}");
        }
    }

    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "";

    /// <summary>Reads what operators need from the detail JSON (deliveries, statuses, actions with Connect ids, Connect error ids) without depending on its writer's types.</summary>
    private static void Detail(string? json, Action<string, string?> row)
    {
        if (string.IsNullOrEmpty(json))
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                row("detail", json);
                return;
            }

            row("delivery", Prop(root, "delivery"));
            row("status", Prop(root, "statusBefore") is { } before ? $"{before} -> {Prop(root, "statusAfter")}" : null);
            row("errorId", Prop(root, "errorId"));
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in errors.EnumerateArray())
                {
                    row("error", Join(Prop(e, "code"), Prop(e, "id"), Prop(e, "propertyName"), Prop(e, "message")));
                }
            }

            if (root.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array)
            {
                foreach (var a in actions.EnumerateArray())
                {
                    row("action", Join(Prop(a, "name"), Prop(a, "connectId"), Prop(a, "status"), Prop(a, "replayed") == "True" ? "(idempotent replay)" : null));
                }
            }

            if (root.TryGetProperty("notes", out var notes) && notes.ValueKind == JsonValueKind.Array)
            {
                foreach (var n in notes.EnumerateArray())
                {
                    row("note", n.ToString());
                }
            }
        }
        catch (JsonException)
        {
            row("detail", json);
        }
    }

    private static string? Prop(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? v.ToString() : null;

    private static string Join(params string?[] parts) => string.Join("  ", parts.Where(p => !string.IsNullOrEmpty(p)));
}
