using Portal.Web.Features.Admin;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Ingestion;
using Portal.Web.Features.KeepAlive;
using Portal.Web.Features.Messages;
using Portal.Web.Features.Onboarding;
using Portal.Web.Features.Pushes;
using Portal.Web.Features.WeChat;
using Portal.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddPortalConfiguration();
builder.AddPortalSecurity();
builder.AddPortalRateLimiting();
builder.AddPortalData();
builder.AddPortalIdentity();
builder.AddPortalIngestion();
builder.AddPortalOnboarding();
builder.AddPortalPushes();
builder.AddPortalKeepAlive();
builder.AddPortalMessages();
builder.AddPortalAdmin();
builder.AddPortalEmulator();
builder.AddPortalUi();
builder.AddPortalHealth();

var app = builder.Build();

app.UsePortalSecurity();
app.UsePortalPipeline();
app.MapPortalHealth();
app.MapPortalEmulator();
app.MapPortalIdentity();
app.MapPortalOnboarding();
app.MapPortalKeepAlive();
app.MapPortalMessages();
app.MapPortalAdmin();
app.MapPortalUi();

app.Run();

/// <summary>The entry point, visible to WebApplicationFactory.</summary>
public partial class Program;
