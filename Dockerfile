# Portal: multi-stage build of the web project; runs as a non-root user with data/ on a volume.
# Not runnable on our build machines (no Docker engine); keep it correct by reading.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props Portal.sln ./
COPY src/ src/
COPY appsettings.json THIRD-PARTY-NOTICES.md ./
COPY wwwroot/ wwwroot/
RUN dotnet restore src/Portal.Web/Portal.Web.csproj
RUN dotnet publish src/Portal.Web/Portal.Web.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY --from=build /src/THIRD-PARTY-NOTICES.md ./
# The aspnet image ships the non-root user "app"; the database, Data Protection keys and job store live in /app/data.
RUN mkdir -p /app/data && chown app:app /app/data
USER app
ENV ASPNETCORE_ENVIRONMENT=Production \
    Urls=http://0.0.0.0:8080 \
    Portal__DataDirectory=/app/data
VOLUME ["/app/data"]
EXPOSE 8080
ENTRYPOINT ["dotnet", "Portal.Web.dll"]
