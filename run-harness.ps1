# One entry point for the harness on Windows (PowerShell 7+): the same verbs as run-harness.sh.
#   serve (default) | sandbox | test | conformance | load | chaos | mutation | help
param([Parameter(Position = 0)][string]$Verb = "serve", [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest = @())
$ErrorActionPreference = "Stop"
$Root = $PSScriptRoot
$Configuration = if ($env:HARNESS_CONFIGURATION) { $env:HARNESS_CONFIGURATION } else { "Release" }
$env:DOTNET_CLI_TELEMETRY_OPTOUT = "1"; $env:DOTNET_NOLOGO = "1"

function Invoke-Build {
    if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) { throw "The .NET SDK (10.0) is required: https://dotnet.microsoft.com/download" }
    dotnet build "$Root/Harness.sln" -c $Configuration -nologo -clp:ErrorsOnly -v:quiet
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Show-Usage {
    @"
Usage: ./run-harness.ps1 [verb] [options]
  serve [--port N] [--data DIR] [--sandbox-port N | --no-sandbox] [--test-clock] [--test-restart] [--no-build]   start the reference backend with demo data (default port 8005) and the sandbox (8100-8106)
  sandbox [--sandbox-port N] [--data DIR]      only the provider sandbox
  test [--tags EXPR] [--filter TEXT]           run every test project; prints "N passed, N failed"
  conformance --target URL --profile FILE      run the Gherkin features against an implementation by URL
  load [--target URL] [--scenario NAME] ...    load the coin-consumption hot path and audit the ledger
  chaos [--target URL] [--seed N] [--short]    the reliability campaign: fuzz, auth matrix, crash rounds
  mutation [finance|ledger|all]                mutation testing with Stryker.NET; reports in artifacts/mutation/
  help                                         this text
"@
}

switch ($Verb) {
    { $_ -in "serve", "sandbox" } {
        if ($Verb -eq "sandbox") { $Rest = @("--sandbox-only") + $Rest }
        $noBuild = $Rest -contains "--no-build"
        $args2 = @($Rest | Where-Object { $_ -ne "--no-build" })
        if (-not $noBuild) {
            dotnet build "$Root/src/Harness.Host/Harness.Host.csproj" -c $Configuration -nologo -clp:ErrorsOnly -v:quiet
            if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        }
        dotnet "$Root/src/Harness.Host/bin/$Configuration/net10.0/Harness.Host.dll" @args2
        exit $LASTEXITCODE
    }
    "test" {
        $filters = @()
        for ($i = 0; $i -lt $Rest.Count; $i++) {
            switch ($Rest[$i]) {
                "--tags" { $i++; $filters += @("--filter-trait", "tag=$($Rest[$i].TrimStart('@'))") }
                "--filter" { $i++; $filters += @("--filter-query", $Rest[$i]) }
                default { $filters += $Rest[$i] }
            }
        }
        if ($filters.Count -gt 0) { $filters += @("--ignore-exit-code", "8") }
        Invoke-Build
        New-Item -ItemType Directory -Force -Path "$Root/artifacts" | Out-Null
        $log = "$Root/artifacts/test-output.log"
        dotnet test --solution "$Root/Harness.sln" -c $Configuration --no-build --no-progress @filters 2>&1 | Tee-Object -FilePath $log
        $status = $LASTEXITCODE
        $passed = 0; $failed = 0
        foreach ($line in Get-Content $log) {
            if ($line -match '^\s*succeeded:\s*(\d+)') { $passed += [int]$Matches[1] }
            if ($line -match '^\s*failed:\s*(\d+)') { $failed += [int]$Matches[1] }
        }
        Write-Output "$passed passed, $failed failed"
        exit $status
    }
    "conformance" { Invoke-Build; dotnet "$Root/src/Harness.Conformance/bin/$Configuration/net10.0/Harness.Conformance.dll" conformance @Rest; exit $LASTEXITCODE }
    "load" { Invoke-Build; dotnet "$Root/load/Harness.Load/bin/$Configuration/net10.0/Harness.Load.dll" @Rest; exit $LASTEXITCODE }
    "chaos" { Invoke-Build; dotnet "$Root/src/Harness.Chaos/bin/$Configuration/net10.0/Harness.Chaos.dll" @Rest; exit $LASTEXITCODE }
    "mutation" {
        $part = if ($Rest.Count -gt 0) { $Rest[0] } else { "all" }
        if ($part -notin "finance", "ledger", "all") { Write-Error "mutation: expected finance, ledger or all, got '$part'"; exit 2 }
        dotnet tool restore | Out-Null
        $status = 0
        $runs = @(@{ Name = "finance"; Tests = "Harness.Conformance.Tests" }, @{ Name = "ledger"; Tests = "Harness.Ledger.Tests" })
        foreach ($run in $runs | Where-Object { $part -eq "all" -or $part -eq $_.Name }) {
            $out = "$Root/artifacts/mutation/$($run.Name)"
            if (Test-Path $out) { Remove-Item -Recurse -Force $out }
            Push-Location "$Root/tests/$($run.Tests)"
            dotnet dotnet-stryker -f "$Root/mutation/$($run.Name).json" -O $out --skip-version-check
            if ($LASTEXITCODE -ne 0) { $status = $LASTEXITCODE }
            Pop-Location
        }
        exit $status
    }
    { $_ -in "help", "-h", "--help" } { Show-Usage }
    default { Write-Error "unknown verb '$Verb'"; Show-Usage; exit 2 }
}
