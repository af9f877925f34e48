package org.coalition.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import graphql.language.AstPrinter;
import graphql.language.EnumTypeDefinition;
import graphql.language.FieldDefinition;
import graphql.language.InputObjectTypeDefinition;
import graphql.language.InputValueDefinition;
import graphql.language.InterfaceTypeDefinition;
import graphql.language.ObjectTypeDefinition;
import graphql.language.TypeDefinition;
import graphql.language.UnionTypeDefinition;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import graphql.schema.idl.UnExecutableSchemaGenerator;
import graphql.schema.idl.errors.SchemaProblem;

import org.coalition.gateway.support.GatewayTest;

/**
 * Partners integrate against the public contract in src/test/resources/contract/schema.graphql. The
 * gateway's schema is generated from code, so this test compares the two: every type, field, argument,
 * input field and enum value of the contract that is not {@link #PENDING} must be served with the same
 * type string (nullability and list wrappers included). The gateway may add types and fields.
 */
@GatewayTest
class ContractCompatibilityTest {

    private static final Path CONTRACT = Path.of("src/test/resources/contract/schema.graphql");
    /** The generated schema is kept here after each run, to read when this test fails. */
    private static final Path GENERATED_COPY = Path.of("target/generated-schema.graphql");

    /**
     * Contract elements not implemented yet: operations of issues still open and the types only they use.
     * An entry covers everything below it (a type its fields, a field its arguments). Remove an entry when
     * its issue lands: this test fails while an implemented element is still listed here.
     */
    private static final Set<String> PENDING = Set.of();

    private static Map<String, Element> contract;
    private static String served;
    private static Map<String, Element> gateway;

    @Test
    void everyImplementedElementOfTheContractIsServedWithTheSameType() {
        List<String> differences = new ArrayList<>();
        contract().forEach((key, expected) -> {
            if (pending(key)) {
                return;
            }
            Element actual = gateway().get(key);
            if (actual == null) {
                differences.add("missing   " + key + ": contract " + expected + undeclaredScalarHint(key, expected));
            } else if (!actual.equals(expected)) {
                differences.add("differs   " + key + ": contract " + expected + ", gateway " + actual);
            }
        });

        assertTrue(differences.isEmpty(), report(differences.size() + " contract element(s) missing from or different in the "
                + "generated schema (see " + GENERATED_COPY + ")", differences));
    }

    @Test
    void theServedSchemaDeclaresEveryTypeItUses() {
        List<String> problems = new ArrayList<>();
        try {
            UnExecutableSchemaGenerator.makeUnExecutableSchema(new SchemaParser().parse(served()));
        } catch (SchemaProblem problem) {
            problem.getErrors().stream().map(error -> "invalid   " + error.getMessage()).distinct().forEach(problems::add);
        }

        assertTrue(problems.isEmpty(), report("a partner who builds a client from /graphql/schema.graphql gets an invalid schema", problems));
    }

    @Test
    void theContractIsAValidSchema() throws IOException {
        UnExecutableSchemaGenerator.makeUnExecutableSchema(new SchemaParser().parse(Files.readString(CONTRACT)));
    }

    @Test
    void theGatewayAddsNoRequiredArgumentOrInputFieldToAContractElement() {
        List<String> additions = new ArrayList<>();
        gateway().forEach((key, added) -> {
            if (!added.kind().equals("argument") && !added.kind().equals("input field")) {
                return;
            }
            String parent = added.kind().equals("argument") ? key.substring(0, key.indexOf('(')) : key.substring(0, key.indexOf('.'));
            if (!contract().containsKey(key) && contract().containsKey(parent) && !pending(parent)
                    && added.type().endsWith("!") && added.defaultValue() == null) {
                additions.add("required  " + key + ": gateway " + added + " (calls written against the contract do not send it)");
            }
        });

        assertTrue(additions.isEmpty(), report(additions.size() + " required input(s) added to contract operations or inputs", additions));
    }

    @Test
    void pendingElementsAreNotImplementedYet() {
        List<String> implemented = PENDING.stream().filter(gateway()::containsKey).sorted()
                .map(key -> "implemented " + key + ": remove it from PENDING so that it is checked"
                        + (key.contains(".") ? "" : " (if part of it is still missing, list those fields in PENDING one by one)"))
                .toList();

        assertTrue(implemented.isEmpty(), report(implemented.size() + " PENDING element(s) are served by the gateway now", implemented));
    }

    @Test
    void pendingListsOnlyContractElementsThatNothingImplementedDependsOn() {
        List<String> problems = new ArrayList<>();
        PENDING.stream().filter(key -> !contract().containsKey(key)).sorted()
                .forEach(key -> problems.add("unknown   " + key + " is in PENDING but not in the contract"));
        contract().forEach((key, element) -> {
            if (!pending(key) && element.namedType() != null && PENDING.contains(element.namedType())) {
                problems.add("needed    " + element.namedType() + " is PENDING but " + key + " (not pending) uses it");
            }
        });

        assertTrue(problems.isEmpty(), report("the PENDING list is wrong", problems));
    }

    // ------------------------------------------------------------------ the two schemas

    private static synchronized Map<String, Element> contract() {
        if (contract == null) {
            try {
                contract = elements(Files.readString(CONTRACT));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the contract " + CONTRACT.toAbsolutePath(), e);
            }
        }
        return contract;
    }

    private static synchronized Map<String, Element> gateway() {
        if (gateway == null) {
            gateway = elements(served());
        }
        return gateway;
    }

    /** The schema as partners download it. */
    private static synchronized String served() {
        if (served == null) {
            served = given().when().get("/graphql/schema.graphql").then().statusCode(200).extract().asString();
            try {
                Files.createDirectories(GENERATED_COPY.getParent());
                Files.writeString(GENERATED_COPY, served);
            } catch (IOException e) {
                // the copy only helps to read a failure
            }
        }
        return served;
    }

    /** A scalar the served schema uses without declaring it is a different problem from one it lacks. */
    private static String undeclaredScalarHint(String key, Element expected) {
        if (!expected.kind().equals("scalar") || gateway().values().stream().noneMatch(element -> key.equals(element.namedType()))) {
            return "";
        }
        return " (its types use " + key + " but the served schema does not declare it;"
                + " quarkus.smallrye-graphql.schema-include-scalars defaults to false)";
    }

    /** Listed in PENDING itself, or below an entry of it (the field of an argument, the type of a field). */
    private static boolean pending(String key) {
        String field = key.contains("(") ? key.substring(0, key.indexOf('(')) : key;
        String type = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
        return PENDING.contains(key) || PENDING.contains(field) || PENDING.contains(type);
    }

    /**
     * One schema as a flat map: "Type" to its kind, "Type.field" and "Input.field" and "Enum.VALUE", and
     * "Type.field(argument:)" to kind and type string, in the order the schema declares them.
     */
    static Map<String, Element> elements(String sdl) {
        TypeDefinitionRegistry registry = new SchemaParser().parse(sdl);
        Map<String, Element> elements = new LinkedHashMap<>();
        registry.scalars().keySet().forEach(name -> elements.put(name, new Element("scalar", null, null)));
        for (TypeDefinition<?> type : registry.types().values()) {
            String name = type.getName();
            if (type instanceof ObjectTypeDefinition object) {
                elements.put(name, new Element("type", null, null));
                fields(name, object.getFieldDefinitions(), elements);
            } else if (type instanceof InterfaceTypeDefinition contractInterface) {
                elements.put(name, new Element("interface", null, null));
                fields(name, contractInterface.getFieldDefinitions(), elements);
            } else if (type instanceof InputObjectTypeDefinition input) {
                elements.put(name, new Element("input", null, null));
                input.getInputValueDefinitions().forEach(field -> elements.put(name + "." + field.getName(), inputValue("input field", field)));
            } else if (type instanceof EnumTypeDefinition enumeration) {
                elements.put(name, new Element("enum", null, null));
                enumeration.getEnumValueDefinitions().forEach(value -> elements.put(name + "." + value.getName(), new Element("enum value", null, null)));
            } else if (type instanceof UnionTypeDefinition union) {
                elements.put(name, new Element("union", union.getMemberTypes().stream().map(AstPrinter::printAst).sorted().toList().toString(), null));
            }
        }
        registry.objectTypeExtensions().forEach((name, extensions) -> extensions.forEach(extension -> fields(name, extension.getFieldDefinitions(), elements)));
        return elements;
    }

    private static void fields(String type, List<FieldDefinition> fields, Map<String, Element> elements) {
        for (FieldDefinition field : fields) {
            String key = type + "." + field.getName();
            elements.put(key, new Element("field", AstPrinter.printAst(field.getType()), null));
            field.getInputValueDefinitions().forEach(argument -> elements.put(key + "(" + argument.getName() + ":)", inputValue("argument", argument)));
        }
    }

    private static Element inputValue(String kind, InputValueDefinition value) {
        return new Element(kind, AstPrinter.printAst(value.getType()),
                value.getDefaultValue() == null ? null : AstPrinter.printAst(value.getDefaultValue()));
    }

    /** What the contract fixes about one element: its kind, its type string with ! and [], and a default value. */
    record Element(String kind, String type, String defaultValue) {

        /** The type without list and non-null wrappers, for fields, arguments and input fields. */
        String namedType() {
            return type == null || kind.equals("union") ? null : type.replaceAll("[\\[\\]!]", "");
        }

        @Override
        public String toString() {
            return kind + (type == null ? "" : " " + type) + (defaultValue == null ? "" : " = " + defaultValue);
        }
    }

    private static String report(String headline, List<String> lines) {
        return headline + ":\n  " + String.join("\n  ", lines) + "\n";
    }
}
