import PCloudModel

/// The CIB Pacemaker would have for a deployable's clone: its nodes (the assemblies), the clone and
/// its primitive, and a status section saying which nodes are online and which instances ran where
/// (with failed monitors and their fail-counts), for `crm_simulate -x FILE -R` to place.
struct PacemakerCIB {
    var placed: PlacedResource
    var online: [String: Bool]
    /// Instance number → the node it runs on.
    var running: [Int: String] = [:]
    /// Instances whose last monitor on their node returned 7 (not running), with a fail-count of 1.
    var failed: Set<Int> = []

    static let uuid = "1f3a9a4e-7b7e-4a6e-9f59-0c2d1c1e0a01"

    var xml: String {
        let clone = placed.clone!
        let name = placed.name
        let parameters = placed.resource.parameters.enumerated().compactMap { index, parameter -> String? in
            guard case .literal(let value) = parameter.value else { return nil }
            return #"<nvpair id="p\#(index)" name="\#(parameter.name)" value="\#(value)"/>"#
        }.joined()
        let stickiness = placed.stickiness >= PlacedResource.infinity ? "INFINITY" : "\(placed.stickiness)"
        let threshold = placed.migrationThreshold.map { "\($0)" } ?? "INFINITY"
        let nodes = placed.over.enumerated().map { #"<node id="\#($0.offset + 1)" uname="\#($0.element)"/>"# }.joined()
        let states = placed.over.enumerated().map { nodeState(id: $0.offset + 1, name: $0.element) }.joined()
        return """
            <cib have-quorum="1" crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes>\(nodes)</nodes>
                <resources>
                  <clone id="\(clone.name)">
                    <meta_attributes id="clone-meta">
                      <nvpair id="m1" name="globally-unique" value="\(clone.globallyUnique)"/>
                      <nvpair id="m2" name="clone-max" value="\(clone.max)"/>
                      <nvpair id="m3" name="clone-node-max" value="\(clone.perAssemblyMax)"/>
                    </meta_attributes>
                    <primitive id="\(name)" class="\(placed.resource.resourceClass.rawValue)" provider="\(placed.resource.provider ?? "")" type="\(placed.resource.type)">
                      <instance_attributes id="attrs">\(parameters)</instance_attributes>
                      <meta_attributes id="meta">
                        <nvpair id="s1" name="resource-stickiness" value="\(stickiness)"/>
                        <nvpair id="s2" name="migration-threshold" value="\(threshold)"/>
                      </meta_attributes>
                      <operations><op id="mon" name="monitor" interval="10s" on-fail="restart"/></operations>
                    </primitive>
                  </clone>
                </resources>
                <constraints/>
              </configuration>
              <status>\(states)</status>
            </cib>
            """
    }

    private func nodeState(id: Int, name: String) -> String {
        let mine = running.filter { $0.value == name }.keys.sorted()
        let resources = mine.map { number -> String in
            let instance = "\(placed.name):\(number)"
            let monitorCode = failed.contains(number) ? 7 : 0
            return #"<lrm_resource id="\#(instance)" class="ocf" provider="heartbeat" type="\#(placed.resource.type)">"#
                + operation(instance, name, "start", interval: 0, code: 0, call: number * 3 + 1, id: "\(instance)_last_0")
                + operation(
                    instance, name, "monitor", interval: 10_000, code: monitorCode, call: number * 3 + 2,
                    id: monitorCode == 0 ? "\(instance)_monitor_10000" : "\(instance)_last_failure_0")
                + "</lrm_resource>"
        }.joined()
        let counts = mine.filter { failed.contains($0) }.map { number -> String in
            let instance = "\(placed.name):\(number)"
            return #"<nvpair id="fc-\#(number)" name="fail-count-\#(instance)#monitor_10000" value="1"/>"#
                + #"<nvpair id="lf-\#(number)" name="last-failure-\#(instance)#monitor_10000" value="1700000000"/>"#
        }.joined()
        let membership =
            online[name] == true
            ? #"in_ccm="true" crmd="online" join="member" expected="member""#
            : #"in_ccm="false" crmd="offline" join="down" expected="down""#
        return #"<node_state id="\#(id)" uname="\#(name)" \#(membership)>"#
            + #"<transient_attributes id="\#(id)"><instance_attributes id="status-\#(id)">\#(counts)</instance_attributes></transient_attributes>"#
            + #"<lrm id="\#(id)"><lrm_resources>\#(resources)</lrm_resources></lrm></node_state>"#
    }

    private func operation(
        _ instance: String, _ node: String, _ name: String, interval: Int, code: Int, call: Int, id: String
    )
        -> String
    {
        let key = "\(call):1:0:\(Self.uuid)"
        return #"<lrm_rsc_op id="\#(id)" operation_key="\#(instance)_\#(name)_\#(interval)" operation="\#(name)" "#
            + #"crm-debug-origin="pcloud" crm_feature_set="3.16.2" transition-key="\#(key)" transition-magic="0:\#(code);\#(key)" "#
            + #"exit-reason="" on_node="\#(node)" call-id="\#(call)" rc-code="\#(code)" op-status="0" interval="\#(interval)" "#
            + #"last-rc-change="1700000000" exec-time="1" queue-time="0"/>"#
    }
}
