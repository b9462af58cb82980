import Foundation
import Testing

@testable import PCloudOpenStack

@Suite struct CloudsYAMLTests {
    static let yaml = """
        clouds:
          prod:
            auth:
              auth_url: https://keystone.example:5000/v3
              username: pcloud
              password: file-secret
              project_name: ha
              user_domain_name: Users
              project_domain_id: default
            region_name: RegionTwo
            interface: internal
            compute_api_version: "2.90"
          appcred:
            auth_type: v3applicationcredential
            auth:
              auth_url: https://keystone.example:5000
              application_credential_id: 0123abcd
              application_credential_secret: app-secret
          harness:
            auth_type: noauth
            auth:
              username: admin
              project_id: p1
            compute_endpoint_override: http://127.0.0.1:8774/v2.1
          broken:
            auth:
              auth_url: https://keystone.example:5000/v3
              username: nobody
        """

    @Test func passwordCloudIsReadWithDomainsRegionInterfaceAndMicroversion() throws {
        let cloud = try CloudsYAML.parse(Self.yaml, cloud: "prod")
        #expect(cloud.authURL == "https://keystone.example:5000/v3")
        #expect(cloud.regionName == "RegionTwo")
        #expect(cloud.interface == "internal")
        #expect(cloud.computeMicroversion == "2.90")
        guard case .password(let user, let password, let project) = cloud.auth else {
            Issue.record("expected password auth, got \(cloud.auth)")
            return
        }
        #expect(user.name == "pcloud" && user.domainName == "Users" && user.domainID == nil)
        #expect(password.value == "file-secret")
        #expect(project.name == "ha" && project.domainID == "default")
    }

    @Test func environmentVariablesOverrideTheFile() throws {
        let cloud = try CloudsYAML.parse(
            Self.yaml, cloud: "prod", environment: ["OS_PASSWORD": "env-secret", "OS_REGION_NAME": "RegionThree"])
        guard case .password(_, let password, _) = cloud.auth else {
            Issue.record("expected password auth")
            return
        }
        #expect(password.value == "env-secret")
        #expect(cloud.regionName == "RegionThree")
    }

    @Test func applicationCredentialCloudIsRead() throws {
        let cloud = try CloudsYAML.parse(Self.yaml, cloud: "appcred")
        guard case .applicationCredential(let id, _, _, let secret) = cloud.auth else {
            Issue.record("expected application credential auth, got \(cloud.auth)")
            return
        }
        #expect(id == "0123abcd")
        #expect(secret.value == "app-secret")
        #expect(cloud.interface == "public")
    }

    @Test func noAuthCloudNeedsAndUsesTheComputeEndpoint() throws {
        let cloud = try CloudsYAML.parse(Self.yaml, cloud: "harness")
        #expect(cloud.computeEndpointOverride == "http://127.0.0.1:8774/v2.1")
        #expect(cloud.auth == .noAuth(user: "admin", projectID: "p1", roles: ["admin", "member", "reader"]))
    }

    @Test func unusableCloudsAreErrorsThatNameTheCloudAndTheProblem() {
        #expect(throws: OpenStackConfigError.self) { try CloudsYAML.parse(Self.yaml, cloud: "broken") }
        do {
            _ = try CloudsYAML.parse(Self.yaml, cloud: "missing", source: "/etc/openstack/clouds.yaml")
            Issue.record("a missing cloud was accepted")
        } catch {
            #expect("\(error)".contains("/etc/openstack/clouds.yaml"))
            #expect("\(error)".contains("harness"))
        }
        do {
            _ = try CloudsYAML.parse(Self.yaml, cloud: "broken")
        } catch {
            #expect("\(error)".contains("broken") && "\(error)".contains("password"))
        }
    }

    @Test func osCloudPicksTheFirstClouds_yamlInTheStandardLocations() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pcloud-clouds-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.yaml.write(to: directory.appendingPathComponent("clouds.yaml"), atomically: true, encoding: .utf8)
        let cloud = try CloudsYAML.load(
            environment: ["OS_CLOUD": "appcred", "HOME": "/nonexistent"], currentDirectory: directory.path)
        #expect(cloud.name == "appcred")
        let paths = CloudsYAML.searchPaths(
            environment: ["HOME": "/home/u", "OS_CLIENT_CONFIG_FILE": "/x.yaml"], currentDirectory: "/w")
        #expect(paths == ["/x.yaml", "/w/clouds.yaml", "/home/u/.config/openstack/clouds.yaml", "/etc/openstack/clouds.yaml"])
    }

    @Test func osVariablesAloneDescribeACloudWithoutOS_CLOUD() throws {
        let cloud = try CloudsYAML.load(
            environment: [
                "OS_AUTH_URL": "http://k:5000/v3", "OS_USERNAME": "u", "OS_PASSWORD": "p", "OS_PROJECT_NAME": "x",
                "OS_INTERFACE": "publicURL",
            ], currentDirectory: "/nonexistent")
        #expect(cloud.authURL == "http://k:5000/v3")
        #expect(cloud.interface == "public")
    }

    @Test func secretsNeverPrint() throws {
        let cloud = try CloudsYAML.parse(Self.yaml, cloud: "prod")
        #expect(!"\(cloud)".contains("file-secret"))
        #expect(!String(reflecting: cloud).contains("file-secret"))
    }
}
