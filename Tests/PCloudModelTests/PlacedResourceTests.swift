import Foundation
import Testing

@testable import PCloudModel

@Test func theClusterIPExampleIsAUniqueCloneOfThirtyThreeOverTwoAssemblies() throws {
    let deployable = try DefinitionLoader(root: packageRoot)
        .loadDeployable(file: packageRoot.appendingPathComponent("Deployables/clusterip.yaml"))
    let placed = try #require(deployable.placedResource(named: "ClusterIP"))
    #expect(placed.over == ["a", "b"])
    #expect(placed.clone == CloneSettings(name: "CloneIP", max: 33, perAssemblyMax: 33, globallyUnique: true))
    #expect(placed.stickiness == PlacedResource.infinity && placed.migrationThreshold == 1)
    let resource = placed.resource
    #expect(resource.resourceClass == .ocf && resource.provider == "heartbeat" && resource.type == "IPaddr2")
    #expect(resource.onFail == .restart && resource.stopOnFail == .block)
    #expect(resource.monitor.interval == .seconds(10))
    let parameters = Dictionary(uniqueKeysWithValues: resource.parameters.map { ($0.name, $0.value) })
    #expect(parameters["ip"] == .literal("192.168.200.10") && parameters["cidr_netmask"] == .literal("24"))
    #expect(parameters["unique_clone_address"] == .literal("true"))
}

@Test func anInstanceIsLookedUpByItsNumberOnAnAssemblyItMayRunOn() throws {
    let deployable = try DefinitionLoader(root: packageRoot)
        .loadDeployable(file: packageRoot.appendingPathComponent("Deployables/clusterip.yaml"))
    let seven = try #require(deployable.resourceDefinition(for: ResourceID("b/ClusterIP:7")!))
    #expect(seven.name == "ClusterIP:7")
    #expect(seven.parameters.contains(Parameter(name: "CRM_meta_clone", value: .literal("7"))))
    #expect(deployable.resourceDefinition(for: ResourceID("b/ClusterIP:33")!) == nil, "numbered from 0 to 32")
    #expect(deployable.resourceDefinition(for: ResourceID("c/ClusterIP:1")!) == nil, "c is not in over")
    #expect(deployable.resourceDefinition(for: ResourceID("a/ClusterIP")!) == nil, "a clone needs an instance number")
    #expect(PlacedResource.split("ClusterIP:12") == ("ClusterIP", 12))
    #expect(PlacedResource.split("vip") == ("vip", nil))
}

@Test func aDeployableStoredBeforePlacedResourcesExistedStillDecodes() throws {
    let old = Deployable(name: "old", assemblies: [Assembly(name: "a")])
    var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(old)) as! [String: Any]
    object["resources"] = nil
    let decoded = try JSONDecoder().decode(Deployable.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(decoded == old)
}
