using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Autopilot.Incidents.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Notifications of incident transitions, for both hosts: the options (validated at start-up), the queue, the
    /// notifier the loop calls, the background sender and its HttpClient with retries (exponential backoff with
    /// jitter, honouring Retry-After; 5xx, 408, 429 and network errors are retried) and a timeout per try. The retry
    /// waits on the container's TimeProvider, so tests move backoff by hand. The host provides IIncidentDispatcher.
    /// </summary>
    public static IServiceCollection AddIncidentNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationsOptions>().Bind(configuration.GetSection(NotificationsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NotificationQueue>();
        services.TryAddSingleton<IncidentNotifier>();
        services.AddHostedService<NotificationSender>();
        services.AddHttpClient(NotificationSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("autopilot-notifications", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<NotificationsOptions>>().Value;
                pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
                if (options.MaxAttempts > 1)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxAttempts - 1,
                        Delay = options.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        OnRetry = args =>
                        {
                            args.Context.Properties.Set(NotificationSender.Retries, args.Context.Properties.GetValue(NotificationSender.Retries, 0) + 1);
                            return default;
                        },
                    });
                }
                pipeline.AddTimeout(options.AttemptTimeout);
            });
        return services;
    }
}
