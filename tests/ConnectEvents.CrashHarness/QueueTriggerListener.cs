using System.Globalization;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConnectEvents.Functions.Processing;
using ConnectEvents.Messaging;
using ConnectEvents.Processing;
using ConnectEvents.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ConnectEvents.CrashHarness;

/// <summary>
/// Runs <see cref="ProcessConnectEvent"/> on the events queue (<c>Events__QueueName</c>) with the Functions queue trigger's
/// semantics, but a receive visibility of <see cref="HarnessOptions.VisibilityTimeout"/> instead of the trigger's 10 minutes:
/// <list type="bullet">
/// <item>a received message is hidden for the visibility timeout, renewed while its invocation runs;</item>
/// <item>up to <see cref="HarnessOptions.Concurrency"/> invocations run at once, each cancelled after host.json's functionTimeout;</item>
/// <item>an invocation that returns deletes the message;</item>
/// <item>one that throws leaves it to reappear when its visibility ends, unless it was delivery <c>maxDequeueCount</c>
/// (<c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c>) or later: then the message is copied to
/// <c>&lt;queue&gt;-poison</c> and deleted;</item>
/// <item>a message received with a dequeue count above maxDequeueCount (its last delivery died with its process) is
/// copied to the poison queue and deleted without running the function.</item>
/// </list>
/// Prints one line per event it handles: <c>delivery &lt;messageId&gt; &lt;dequeueCount&gt;</c> and
/// <c>done &lt;messageId&gt; ok|retry|poisoned|expired</c>, which the suite counts.
/// </summary>
internal sealed class QueueTriggerListener(
    IServiceProvider services, StorageClients storage, IOptions<EventsOptions> events, IOptions<ProcessingOptions> processing, IOptions<HarnessOptions> harness)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = harness.Value;
        var queue = storage.Queue(events.Value.QueueName);
        var poison = storage.Queue(events.Value.QueueName + "-poison");
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        var slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        var running = new List<Task>();
        Console.Out.WriteLine("listening");
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < Math.Min(options.Concurrency, 32) && slots.Wait(0, CancellationToken.None))
                {
                    free++;
                }

                QueueMessage[] received;
                try
                {
                    received = (await queue.ReceiveMessagesAsync(free, options.VisibilityTimeout, stoppingToken)).Value;
                }
                catch (RequestFailedException)
                {
                    received = [];
                }

                // Each received message holds a slot until it is settled; the rest go back now.
                if (free > received.Length)
                {
                    slots.Release(free - received.Length);
                }

                if (received.Length == 0)
                {
                    await Task.Delay(options.PollInterval, stoppingToken);
                    continue;
                }

                running.RemoveAll(t => t.IsCompleted);
                foreach (var message in received)
                {
                    running.Add(RunOneAsync(queue, poison, message, slots, stoppingToken));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(running);
    }

    private async Task RunOneAsync(QueueClient queue, QueueClient poison, QueueMessage message, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            var maxDequeueCount = processing.Value.MaxDequeueCount;
            if (message.DequeueCount > maxDequeueCount)
            {
                await PoisonAsync(queue, poison, message.MessageId, message.PopReceipt, message.Body, stoppingToken);
                Print("done", message.MessageId, "expired");
                return;
            }

            Print("delivery", message.MessageId, message.DequeueCount.ToString(CultureInfo.InvariantCulture));
            using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var receipt = new PopReceipt(message.PopReceipt);
            var renewing = RenewVisibilityAsync(queue, message.MessageId, receipt, renewal.Token);
            bool succeeded;
            try
            {
                succeeded = await InvokeAsync(message, stoppingToken);
            }
            finally
            {
                await renewal.CancelAsync();
                await renewing;
            }

            if (succeeded)
            {
                await DeleteAsync(queue, message.MessageId, receipt.Value, stoppingToken);
                Print("done", message.MessageId, "ok");
            }
            else if (message.DequeueCount >= maxDequeueCount)
            {
                await PoisonAsync(queue, poison, message.MessageId, receipt.Value, message.Body, stoppingToken);
                Print("done", message.MessageId, "poisoned");
            }
            else
            {
                Print("done", message.MessageId, "retry");
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
        {
            // Storage trouble or shutdown while settling: the message reappears after its visibility, as with the trigger.
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<bool> InvokeAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        // host.json's functionTimeout cancels the invocation's token, as the host does.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(processing.Value.FunctionTimeout);
        CrashSwitch.EnterDelivery(message.DequeueCount);
        try
        {
            var function = ActivatorUtilities.CreateInstance<ProcessConnectEvent>(services);
            await function.RunAsync(message, timeout.Token);
            return true;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"invocation of {message.MessageId} failed: {ex.GetType().Name}: {ex.Message}");
            return false;
        }
    }

    private async Task RenewVisibilityAsync(QueueClient queue, string messageId, PopReceipt receipt, CancellationToken ct)
    {
        var visibility = harness.Value.VisibilityTimeout;
        try
        {
            while (true)
            {
                await Task.Delay(visibility / 2, ct);
                var updated = await queue.UpdateMessageAsync(messageId, receipt.Value, visibilityTimeout: visibility, cancellationToken: ct);
                receipt.Value = updated.Value.PopReceipt;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RequestFailedException)
        {
            // Stopped, or the message was received again elsewhere: settling it will fail and it comes back, as with the trigger.
        }
    }

    private static async Task PoisonAsync(QueueClient queue, QueueClient poison, string messageId, string popReceipt, BinaryData body, CancellationToken ct)
    {
        // Copy first: a crash between the two leaves a copy in each queue, never none.
        await poison.SendMessageAsync(body, cancellationToken: ct);
        await DeleteAsync(queue, messageId, popReceipt, ct);
    }

    private static async Task DeleteAsync(QueueClient queue, string messageId, string popReceipt, CancellationToken ct) =>
        await queue.DeleteMessageAsync(messageId, popReceipt, ct);

    private static void Print(string what, string messageId, string detail) => Console.Out.WriteLine($"{what} {messageId} {detail}");

    private sealed class PopReceipt(string value)
    {
        public string Value { get; set; } = value;
    }
}
