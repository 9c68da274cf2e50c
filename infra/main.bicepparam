using 'main.bicep'

// Example values for a development environment; override on the command line, e.g.
// az deployment group create -g RG -f infra/main.bicep -p infra/main.bicepparam -p environmentName=hub-prod
param environmentName = 'hub-dev'
param maximumInstanceCount = 40
