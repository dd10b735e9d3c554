<#
.SYNOPSIS
Stops and removes the Hyper-V Restore agent service and its programs.

.DESCRIPTION
Keeps the data folder (agent.json, the agent's work folder, the logs) unless -RemoveData is given, so a later
install.ps1 finds the configuration again.

.EXAMPLE
.\uninstall.ps1

.EXAMPLE
.\uninstall.ps1 -RemoveData
#>
#Requires -Version 5.1
#Requires -RunAsAdministrator
[CmdletBinding()]
param(
    # Also delete agent.json, the work folder and the logs.
    [switch] $RemoveData,
    [string] $InstallDir = (Join-Path $env:ProgramFiles 'HypervRestore'),
    [string] $DataDir = (Join-Path $env:ProgramData 'HypervRestore'),
    [string] $ServiceName = 'HypervRestoreAgent'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($service) {
    if ($service.Status -ne 'Stopped') {
        Write-Host "Stopping $ServiceName"
        Stop-Service -Name $ServiceName
        $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(90))
    }
    & sc.exe delete $ServiceName | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "sc.exe could not remove the service $ServiceName" }
    Write-Host "Removed the service $ServiceName"
}

if (Test-Path -LiteralPath $InstallDir) {
    Remove-Item -LiteralPath $InstallDir -Recurse -Force
    Write-Host "Removed $InstallDir"
}

if ($RemoveData) {
    if (Test-Path -LiteralPath $DataDir) {
        Remove-Item -LiteralPath $DataDir -Recurse -Force
        Write-Host "Removed $DataDir"
    }
} else {
    Write-Host "Kept $DataDir (agent.json, work folder, logs); give -RemoveData to delete it"
}
